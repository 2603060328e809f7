"""Language detection's cost: time per message and the memory lingua's models take, printed as a
markdown table, nothing asserted (it is not a test). Run it with `make bench` or
`.venv/bin/python -m tests.bench.language`. In-process: no servers.
"""
from __future__ import annotations

import resource
import statistics
import time
from typing import List

from bot.knowledge import load_knowledge
from bot.language import LanguageDetector, knowledge_english_words
from bot.settings import load_settings
from tests.eval_sets import dev_languages


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(detector: LanguageDetector, texts: List[str]) -> List[float]:
    times = []
    for text in texts:
        start = time.perf_counter()
        detector.detect(text)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    texts = [row.text for row in dev_languages()]
    english = [row.text for row in dev_languages() if row.language == "en"]
    before = rss_mb()
    detector = LanguageDetector(knowledge_english_words(load_knowledge(load_settings().knowledge_dir)))
    first = timed(detector, texts[:1] + [t for t in texts if not t.isascii()][:1] + ["Waxaan u baahanahay guri fadlan"])
    after_load = rss_mb()
    warm = timed(detector, texts * 5)
    warm_english = timed(detector, english * 5)
    print("\n| language detection (development set, in-process) | value |\n|---|---|")
    print(f"| first messages, models loading (ms, max) | {max(first):.0f} |")
    print(f"| per message, all languages (ms, median / 95th percentile) | {statistics.median(warm):.2f} / "
          f"{sorted(warm)[int(0.95 * len(warm))]:.2f} |")
    print(f"| per message, English only (ms, median) | {statistics.median(warm_english):.2f} |")
    print(f"| peak memory before / after lingua's models load (MB) | {before:.0f} / {after_load:.0f} |")


if __name__ == "__main__":
    main()
