"""Personal details are taken out of kept questions; ordinary words stay."""
from bot.redaction import Redactor

REDACTOR = Redactor(["Basildon", "Universal", "Credit", "Staying", "Put", "council"])


def test_phone_numbers_emails_and_postcodes_are_redacted():
    text = REDACTOR.redact("ring 07700 900123 or +44 1245 433 000, mail me at a.b@mail.co.uk, i live in SS14 2AB")
    assert text == "ring [phone] or [phone], mail me at [email], i live in [postcode]"


def test_names_after_a_cue_and_capitalised_names_are_redacted():
    assert REDACTOR.redact("hi my name is jake smith") == "hi my name is [name] smith"
    assert REDACTOR.redact("my pa sarah hasnt replied") == "my pa [name] hasnt replied"
    assert REDACTOR.redact("can Priya help me with Universal Credit in Basildon?") == (
        "can [name] help me with Universal Credit in Basildon?")


def test_ordinary_words_after_a_cue_stay():
    for text in ("im homeless and scared", "my mum is ill", "call me tomorrow", "this is hard", "I am 19"):
        assert REDACTOR.redact(text) == text
