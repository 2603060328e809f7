"""The `lifeportal` command: run the bot, train it, check the knowledge files, ask it questions."""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from contextlib import contextmanager
from typing import Iterator, List, Optional

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from bot.settings import load_settings  # noqa: E402


@contextmanager
def store_session() -> Iterator:
    """A unit of work on the store, its schema brought up to date first."""
    from bot.store import Database

    database = Database(load_settings().database_url).migrate()
    try:
        with database.session() as session:
            yield session
    finally:
        database.engine.dispose()


def _check_knowledge(args: argparse.Namespace) -> int:
    from bot.knowledge import KnowledgeError, load_knowledge

    settings = load_settings()
    try:
        knowledge = load_knowledge(settings.knowledge_dir)
    except KnowledgeError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"All good: {len(knowledge.topics)} topics, {len(knowledge.districts)} places, "
          f"{len(knowledge.crisis_contacts)} crisis contacts in {settings.knowledge_dir}.")
    from bot.knowledge.freshness import stale_sources
    from bot.knowledge.readability import hard_texts
    from bot.training import model_is_current

    for warning in hard_texts(settings.knowledge_dir):
        print(f"Warning: {warning}")
    from bot.knowledge.translation_report import translation_report

    for line in translation_report(knowledge):
        print(line)
    stale = stale_sources(settings.knowledge_dir)
    for source in stale:
        print(f"{'Problem' if source.too_old else 'Warning'}: {source}", file=sys.stderr if source.too_old else sys.stdout)

    if not model_is_current(settings):
        print("Note: the trained model is older than these files. The bot already shows your changes, numbers "
              "included; the model's own copy of the crisis replies (used only if the bot can't read these files) "
              "is updated by `make train`, and `make run` does that before it starts.")
    return 1 if any(source.too_old for source in stale) else 0


def _ask(args: argparse.Namespace) -> int:
    from bot.ask import ask_all

    if args.file:
        with open(args.file, encoding="utf-8") as handle:
            questions = [line.rstrip("\n") for line in handle if line.strip()]
    else:
        questions = args.question
    if not questions:
        print("Give a question, or --file with one question a line.", file=sys.stderr)
        return 2
    for result in ask_all(load_settings(), questions):
        if args.json:
            print(json.dumps(result, ensure_ascii=False), flush=True)
        else:
            buttons = "".join(f"\n  [{title}]" for title in result["buttons"])
            print(f"> {result['question']}\n[{result['intent']} {result['confidence']:.2f}]\n{result['text']}{buttons}\n", flush=True)
    return 0


def _train(args: argparse.Namespace) -> int:
    from bot.training import train_if_needed

    print(train_if_needed(load_settings(), force=args.force))
    return 0


def _setup(args: argparse.Namespace) -> int:
    from bot.training import prepare

    prepare(load_settings())
    return 0


def _run(args: argparse.Namespace) -> int:
    from bot.run import run

    run(load_settings())
    return 0


def _safeguarding_log(args: argparse.Namespace) -> int:
    from bot.store.safeguarding import recent_events

    with store_session() as session:
        events = recent_events(session, limit=args.limit)
    print(f"{'time (UTC)':<20} {'level':<10} {'channel':<10} {'conversation':<17} matched")
    for event in events:
        print(f"{event.created_at:%Y-%m-%d %H:%M:%S} {event.level:<10} {event.channel:<10} "
              f"{event.conversation:<17} {event.matched}"
              + (f"\n    raised request (escalation id) {event.escalation_id}" if event.escalation_id else "")
              + (f"\n    text: {event.message_text}" if event.message_text else ""))
    return 0


def _forget(args: argparse.Namespace) -> int:
    from bot.store.conversations import forget_conversation

    with store_session() as session:
        found = forget_conversation(session, conversation_id=args.conversation)
    print(f"Erased conversation {args.conversation} from the store and Rasa's tracker store." if found
          else f"No conversation {args.conversation} was found; nothing to erase.")
    return 0 if found else 1


def _read_password(args: argparse.Namespace) -> str:
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password (at least 12 characters): ")
    if getpass.getpass("The same again: ") != first:
        raise SystemExit("The two passwords were not the same; nothing was saved.")
    return first


def _advisers_add(args: argparse.Namespace) -> int:
    from bot.store.advisers import AdviserError, add_adviser

    password = _read_password(args)
    try:
        with store_session() as session:
            adviser = add_adviser(session, name=args.name, email=args.email, team=args.team, password=password,
                                  duty_team=args.duty_team)
            print(f"Added {adviser.name} <{adviser.email}> to the team {args.team}"
                  + (" (the duty team)" if args.duty_team else "") + ".")
    except AdviserError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def _advisers_link_code(args: argparse.Namespace) -> int:
    from bot.store.advisers import adviser_by_email, new_link_code

    with store_session() as session:
        adviser = adviser_by_email(session, email=args.email)
        if adviser is None:
            print(f"No adviser has the email {args.email}.", file=sys.stderr)
            return 1
        code = new_link_code(session, adviser_id=adviser.id)
    print(f"Link code for {adviser.name}: {code}\nIt works once, for 7 days. The young person types it in the chat.")
    return 0


def _escalations_list(args: argparse.Namespace) -> int:
    from bot.store.escalations import escalation_rows

    with store_session() as session:
        rows = escalation_rows(session, limit=args.limit)
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
        else:
            print(f"{row['created'][:16]} {row['reference']} {row['urgency']:<9} {row['status']:<9} "
                  f"{row['adviser'] or row['team']}")
    return 0


def _gaps(args: argparse.Namespace) -> int:
    from bot import gaps
    from nlu.components.sentence_encoder import encode

    settings = load_settings()
    with store_session() as session:
        found = gaps.recent(session, args.days, settings.gaps_retention_days)
    print(gaps.report(found, encode, days=args.days, top=args.top))
    return 0


def _knowledge_show(args: argparse.Namespace) -> int:
    from bot.ask import show_topic

    print(show_topic(load_settings(), args.topic, args.district, more=args.more))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lifeportal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    ask = commands.add_parser("ask", help="ask the trained model questions and print its answers")
    ask.add_argument("question", nargs="*", help="the question(s)")
    ask.add_argument("--file", help="a file with one question a line")
    ask.add_argument("--json", action="store_true", help="print one JSON object a question")
    ask.set_defaults(handler=_ask)

    check = commands.add_parser("check-knowledge", help="check the knowledge files and say what to fix")
    check.set_defaults(handler=_check_knowledge)

    knowledge = commands.add_parser("knowledge", help="preview the knowledge files").add_subparsers(
        dest="knowledge_command", required=True)
    show = knowledge.add_parser("show", help="a topic's answer exactly as a young person sees it")
    show.add_argument("topic", help="the topic's id, like council_tax")
    show.add_argument("--district", help="the place, like Colchester, for answers that depend on it")
    show.add_argument("--more", action="store_true", help='the "tell me more" answer instead')
    show.set_defaults(handler=_knowledge_show)

    gap = commands.add_parser("gaps", help="what young people asked that the bot couldn't answer, grouped")
    gap.add_argument("--days", type=int, default=30, help="look back this many days (default 30)")
    gap.add_argument("--top", type=int, default=20, help="show this many groups (default 20)")
    gap.set_defaults(handler=_gaps)

    train = commands.add_parser("train", help="train the model if its data changed")
    train.add_argument("--force", action="store_true", help="train even if nothing changed")
    train.set_defaults(handler=_train)

    setup = commands.add_parser("setup", help="make the blank spaCy pipeline and the generated training data")
    setup.set_defaults(handler=_setup)

    log = commands.add_parser("safeguarding-log", help="show recent crisis events for review")
    log.add_argument("--limit", type=int, default=50)
    log.set_defaults(handler=_safeguarding_log)

    forget = commands.add_parser("forget", help="erase a conversation (a young person's request to be forgotten)")
    forget.add_argument("--conversation", required=True,
                        help="the conversation's id (its pseudonym, as in the logs and the safeguarding log)")
    forget.set_defaults(handler=_forget)

    advisers = commands.add_parser("advisers", help="personal advisers' accounts").add_subparsers(
        dest="advisers_command", required=True)
    add = advisers.add_parser("add", help="create an adviser's account (the password is asked for)")
    add.add_argument("--name", required=True)
    add.add_argument("--email", required=True)
    add.add_argument("--team", required=True, help="the team's name; made if new")
    add.add_argument("--duty-team", action="store_true", help="this team takes requests from young people with no PA")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input (scripts)")
    add.set_defaults(handler=_advisers_add)
    link_code = advisers.add_parser("link-code", help="a one-time code that links a young person to this adviser")
    link_code.add_argument("--email", required=True)
    link_code.set_defaults(handler=_advisers_link_code)

    escalations = commands.add_parser("escalations", help="requests for a person").add_subparsers(
        dest="escalations_command", required=True)
    listing = escalations.add_parser("list", help="newest first")
    listing.add_argument("--json", action="store_true", help="one JSON object a line")
    listing.add_argument("--limit", type=int, default=500)
    listing.set_defaults(handler=_escalations_list)

    run = commands.add_parser("run", help="start the bot with its web chat on localhost")
    run.set_defaults(handler=_run)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    from bot.knowledge import KnowledgeError

    try:
        return args.handler(args)
    except KnowledgeError as error:
        # Editors see what to fix, not a traceback.
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
