"""Word and letter lists that tell our languages apart (used by bot/language.py).

Built from the development set (tests/data/dev/languages.csv) and common knowledge of each
language, never from the frozen test set. A word here must not be an everyday English word or a
common word of a language it could be confused with.
"""
import re

SORANI_LETTERS = set("ێۆڵڕە")
PASHTO_LETTERS = set("ټډړښږګڼېۍځڅ")
# Urdu's own letters, with its two h's (ہ ھ), which Farsi and Arabic never write.
URDU_LETTERS = set("ٹڈڑںےۓہھ")
# Sorani words written without Sorani's own letters (as on a Persian keyboard), which Farsi doesn't use.
SORANI_WORDS = {"سوپاس", "سوپاست", "گیان", "نازانم", "ناتوانم", "بوو", "کوی", "نییه", "پیویسته", "خوا", "ئاسایی", "سلاو"}
# Pashto's everyday words written without Pashto's own letters ("I", "am", "brother", "thanks", "ill", "tired").
PASHTO_WORDS = {"زه", "یم", "ورور", "مننه", "ناروغ", "ستومانه", "راشم", "راتلی", "هو"}
# Afghan Dari words and verb forms that Iranian Farsi writes differently (پول, دکتر, هستم, من...).
DARI_WORDS = {"استم", "استی", "استید", "استن", "پیسه", "داکتر", "مه", "تشکر", "ضرورت", "مکتب", "نمیفامم", "فامیدم",
              "ترجمان", "تشناب", "دری", "کمپیوتر", "صبا", "پروا", "نمیتانم", "میتانم", "تانم"}
TIGRINYA_WORDS = {"እየ", "ኣለኹ", "ከመይ", "ኣብ", "ብኽብረትካ", "ብኽብረትኪ", "የለን", "እዩ", "ኣሎ", "ኣነ", "ብጣዕሚ", "የቐንየለይ"}
AMHARIC_WORDS = {"እሺ", "ነው", "እንዴት", "እፈልጋለሁ", "አለ", "በጣም", "እባክህ", "እባክሽ", "የለም", "አለኝ", "ምን", "እንደምን", "ነህ", "ነሽ",
                 "ነኝ", "አመሰግናለሁ", "እኔ"}
ETHIOPIC_PUNCTUATION = re.compile(r"[፡-፨?!.,]")
# "I ..." verbs end -ለሁ (I do) or -ኛል (I have become: tired, hungry) in Amharic; Tigrinya writes -ኹ, -ኒ.
AMHARIC_ENDINGS = ("ለሁ", "ኛል")
# Letters only Vietnamese uses among our languages (ê, â and ô are shared with Kurmanji or French).
VIETNAMESE_LETTERS = set("ăđơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ")
KURMANJI_LETTERS = set("êîûş")
KURMANJI_WORDS = {"ez", "tu", "min", "spas", "gelek", "ji", "tune", "heye", "dixwazim", "dikarim", "nizanim", "çawa",
                  "alîkarî", "xanî", "kerem", "bixwazim", "xwe"}
# Vietnamese typed without its marks: words that are not English ones (two are needed).
VIETNAMESE_PLAIN_WORDS = {"khong", "ko", "nguoi", "duoc", "cua", "toi", "phai", "chua", "nhung", "tieng", "giup", "minh",
                          "nay", "lam", "dau", "roi", "voi", "muon", "biet", "em", "bi", "om", "sao", "tien", "kham",
                          "bac", "viet", "nha", "xin", "chao", "cam", "phien", "dich", "truong", "hoc", "gi", "khi"}
KURMANJI_PLAIN_WORDS = {"alikari", "alikariya", "wergere", "wergerek", "kurdi", "kengi", "dike", "dikim", "nexwes",
                        "xani", "cawa", "ciqas", "spas", "nizanim", "dixwazim", "heye", "tune", "gelek"}
ALBANIAN_LETTER = "ë"
ALBANIAN_WORDS = {"nuk", "kam", "dua", "shume", "shumë", "faleminderit", "flm", "eshte", "është", "nje", "një", "vlla",
                  "para", "ndihme", "ndihmë", "qira", "qiranë", "une", "unë", "mjeku", "sot", "nesër", "neser", "jam",
                  "mund", "ku", "si", "te", "të", "me", "për", "per"}
ALBANIAN_STRONG = ALBANIAN_WORDS - {"jam", "ku", "si", "te", "me", "per", "para", "sot", "mund"}

# Common words of Latin-script languages, typed with or without their marks. A message is taken
# for one when at least two of its words, and at least half of them, are that language's.
SOMALI_WORDS = {"waan", "waxaan", "haa", "maya", "mahadsanid", "fahmin", "fahmay", "nabad", "gelyo", "hagaag", "lacag",
                "haysto", "caawimaad", "baahanahay", "xanuunsanahay", "daalanahay", "gaajaysanahay", "warran", "walaal",
                "guriga", "dhakhtar", "tahay", "aad", "iyo", "ma", "salaan", "aabo", "hooyo", "maanta", "berri"}
SOMALI_ENDINGS = ("nahay", "aynahay")
LATIN_CUES = {
    "so": SOMALI_WORDS,
    "sq": ALBANIAN_WORDS | {"pershendetje", "përshëndetje", "kuptova", "di", "lodhur", "vij", "kalon", "po", "mire",
                            "mirë", "faleminderit", "ndihmo", "shtëpi", "shtepi", "doktor", "lek"},
    "kmr": KURMANJI_WORDS | KURMANJI_PLAIN_WORDS | {"bira", "silav", "heval", "ere", "erê", "fam", "kir", "westiyam",
                                                    "birci", "baş", "bas", "ez", "nexweş", "pere"},
    "vi": VIETNAMESE_PLAIN_WORDS | {"ban", "chi", "vay", "qua", "mai", "doi", "anh", "dang", "nhieu", "vang"},
}
