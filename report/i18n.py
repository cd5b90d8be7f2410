"""A small Hindi/English message catalog shared by the CLI tables, exports and the web UI (NFC strings)."""
from __future__ import annotations

import datetime as dt
import unicodedata

LANGS = ("hi", "en")

_MESSAGES: dict[str, tuple[str, str]] = {  # key: (hi, en)
    "office": ("कार्यालय", "Office"),
    "branch": ("शाखा", "Branch"),
    "cutover": ("अंतिम तिथि", "Cutover"),
    "as_of": ("दिनांक", "As of"),
    "no_cutover": ("अंतिम तिथि तय नहीं — [office] cutover", "no cutover date — set [office] cutover"),
    "register_files": ("पंजी में नस्तियाँ", "Register files"),
    "digitised_files": ("डिजिटाइज़ नस्तियाँ", "Digitised files"),
    "documents": ("दस्तावेज़", "Documents"),
    "pages": ("पृष्ठ", "Pages"),
    "blank_pages": ("रिक्त पृष्ठ", "Blank pages"),
    "pages_ocr": ("OCR पृष्ठ", "Pages OCR'd"),
    "rejected": ("अस्वीकृत", "Rejected"),
    "needs_review": ("समीक्षा हेतु", "Needs review"),
    "duplicates": ("दोहराव", "Duplicates"),
    "duplicate": ("दोहराव", "duplicate"),
    "received": ("प्राप्त", "received"),
    "processing": ("प्रक्रिया में", "processing"),
    "files_today": ("आज", "Today"),
    "files_week": ("7 दिन", "Last 7 days"),
    "files_total": ("कुल", "Total"),
    "files_per_day": ("नस्ती/दिन", "Files/day"),
    "pages_per_day": ("पृष्ठ/दिन", "Pages/day"),
    "projected_completion": ("अनुमानित पूर्णता", "Projected finish"),
    "status": ("स्थिति", "Status"),
    "days_left": ("शेष दिन", "Days left"),
    "not_scanned": ("स्कैन शेष", "Not scanned"),
    "blockers": ("बाधाएँ", "Blockers"),
    "no_throughput": ("अभी कोई प्रगति नहीं — अनुमान संभव नहीं", "no throughput yet — no projection"),
    "on_track": ("समय पर", "on track"),
    "at_risk": ("जोखिम में", "at risk"),
    "late": ("विलंबित", "late"),
    "done": ("पूर्ण", "done"),
    "unknown": ("अज्ञात", "unknown"),
    "total": ("कुल योग", "Total"),
    "readiness": ("तैयारी रिपोर्ट", "Readiness report"),
    "oldest_not_scanned": ("सबसे पुरानी अस्कैन नस्तियाँ", "Oldest files not scanned"),
    "login": ("लॉग इन", "Log in"),
    "logout": ("लॉग आउट", "Log out"),
    "username": ("उपयोगकर्ता नाम", "User name"),
    "password": ("पासवर्ड", "Password"),
    "bad_login": ("गलत नाम या पासवर्ड", "Wrong name or password"),
    "search": ("खोज", "Search"),
    "results": ("परिणाम", "Results"),
    "file_number": ("नस्ती क्रमांक", "File number"),
    "subject": ("विषय", "Subject"),
    "reason": ("कारण", "Reason"),
    "received_at": ("प्राप्त", "Received"),
    "done_at": ("पूर्ण", "Done"),
    "review_queue": ("समीक्षा कतार", "Review queue"),
    "assign": ("नस्ती से जोड़ें", "Assign"),
    "register": ("नस्ती पंजी", "Register"),
    "outcomes": ("परिणाम (मेरी शाखा)", "Outcomes (my branch)"),
    "burndown": ("शेष नस्तियाँ बनाम अंतिम तिथि", "Remaining files vs cutover"),
    "set_cutover": ("अंतिम तिथि निर्धारित करें", "Set cutover"),
    "save": ("सहेजें", "Save"),
    "print": ("मुद्रित करें", "Print"),
    "history": ("घटनाक्रम", "History"),
    "page": ("पृष्ठ", "Page"),
    "pdf": ("खोज योग्य PDF", "Searchable PDF"),
    "forbidden": ("इस शाखा की अनुमति नहीं है", "You may not see this branch"),
    "language": ("English", "हिन्दी"),
    "dashboard": ("डैशबोर्ड", "Dashboard"),
    "admin": ("प्रशासन", "Administration"),
    "users": ("उपयोगकर्ता", "Users"),
    "role": ("भूमिका", "Role"),
    "role_clerk": ("स्कैनिंग लिपिक", "Scanning clerk"),
    "role_branch_head": ("शाखा प्रभारी", "Branch head"),
    "role_collector": ("कलेक्टर", "Collector"),
    "add_user": ("उपयोगकर्ता जोड़ें", "Add user"),
    "import_register": ("नस्ती पंजी आयात करें", "Import register"),
}


def t(key: str, lang: str) -> str:
    """The message ``key`` in ``lang`` (hi|en); an unknown key comes back as itself."""
    pair = _MESSAGES.get(key)
    if pair is None:
        return key
    return unicodedata.normalize("NFC", pair[0] if lang == "hi" else pair[1])


def ddmmyyyy(value: str | dt.date | None, zone: dt.tzinfo | None = None) -> str:
    """An ISO date (or date) as DD/MM/YYYY; empty for None. A moment (an ISO date and time with its offset, or an
    aware datetime) is shown as its day in ``zone`` (the office's) when one is given."""
    if value is None or value == "":
        return ""
    if zone is not None and isinstance(value, str) and len(value) > 10:
        value = dt.datetime.fromisoformat(value)
    if zone is not None and isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(zone)
    d = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    return d.strftime("%d/%m/%Y")


def local_time(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """A stored moment (aware, UTC) as the office reads it: DD/MM/YYYY HH:MM in ``zone``."""
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def branch_name(row: dict[str, object], lang: str) -> str:
    return str(row.get("name_hi" if lang == "hi" else "name_en") or row.get("branch") or "")
