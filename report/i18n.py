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
    "no_register": ("पंजी अभी नहीं", "no register yet"),
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
    "login_wait": ("बहुत से गलत प्रयास — {minutes} मिनट बाद पुनः प्रयास करें",
                   "Too many wrong attempts — try again in {minutes} minute(s)"),
    "refused": ("यह बदलाव नहीं हो सका:", "This change was refused:"),
    "not_yourself": ("आप स्वयं को निष्क्रिय, हटा या भूमिका-परिवर्तित नहीं कर सकते",
                     "You cannot disable, remove or change the role of yourself"),
    "user_added": ("उपयोगकर्ता {name} ({role}) जोड़ा गया", "User {name} ({role}) added"),
    "user_disable_done": ("{name} निष्क्रिय; {n} सत्र समाप्त", "{name} disabled; {n} session(s) ended"),
    "user_enable_done": ("{name} पुनः सक्रिय", "{name} enabled again"),
    "user_passwd_done": ("{name} का पासवर्ड बदला; {n} सत्र समाप्त", "Password of {name} changed; {n} session(s) ended"),
    "user_role_done": ("{name} की भूमिका बदली; {n} सत्र समाप्त", "Role of {name} changed; {n} session(s) ended"),
    "user_remove_done": ("{name} हटाया गया; {n} सत्र समाप्त", "{name} removed; {n} session(s) ended"),
    "register_imported": ("{rows} पंक्तियाँ — {new} नई, {updated} अद्यतन, {unchanged} अपरिवर्तित, {skipped} छोड़ी गईं; "
                          "{rematched} दस्तावेज़ पुनः मिलाए गए",
                          "{rows} rows — {new} new, {updated} updated, {unchanged} unchanged, {skipped} skipped; "
                          "{rematched} documents matched again"),
    "disable": ("निष्क्रिय करें", "Disable"),
    "enable": ("सक्रिय करें", "Enable"),
    "remove": ("हटाएँ", "Remove"),
    "new_password": ("नया पासवर्ड", "New password"),
    "change_role": ("भूमिका बदलें", "Change role"),
    "disabled": ("निष्क्रिय", "disabled"),
    "active": ("सक्रिय", "active"),
    "actions": ("कार्रवाई", "Actions"),
    "password_rule": ("कम से कम 10 अक्षर; नाम या आम पासवर्ड नहीं", "At least 10 characters; not the name, not common"),
    "file": ("फ़ाइल", "File"),
    "audit": ("लेखा-परीक्षा", "Audit trail"),
    "when": ("समय", "When"),
    "who": ("कौन", "Who"),
    "what": ("क्या", "What"),
    "details": ("विवरण", "Details"),
    "address": ("पता (IP)", "Address (IP)"),
    "since": ("से (दिन/माह/वर्ष)", "Since (DD/MM/YYYY)"),
    "filter": ("छाँटें", "Filter"),
    "all": ("सभी", "All"),
    "nothing": ("कुछ नहीं मिला", "Nothing found"),
    "action_login": ("लॉग इन", "logged in"),
    "action_login_failed": ("लॉग इन विफल", "login failed"),
    "action_logout": ("लॉग आउट", "logged out"),
    "action_cutover": ("अंतिम तिथि निर्धारित", "cutover set"),
    "action_register_import": ("पंजी आयात", "register imported"),
    "action_user_add": ("उपयोगकर्ता जोड़ा", "user added"),
    "action_user_disable": ("उपयोगकर्ता निष्क्रिय", "user disabled"),
    "action_user_enable": ("उपयोगकर्ता सक्रिय", "user enabled"),
    "action_user_passwd": ("पासवर्ड बदला", "password changed"),
    "action_user_role": ("भूमिका बदली", "role changed"),
    "action_user_remove": ("उपयोगकर्ता हटाया", "user removed"),
    "action_review_assign": ("नस्ती क्रमांक दिया", "file number assigned"),
    "times_in": ("समय: {zone}", "Times in {zone}"),
    "error_400": ("अनुरोध सही नहीं है", "Bad request"),
    "error_403": ("अनुमति नहीं", "Not allowed"),
    "error_404": ("नहीं मिला", "Not found"),
    "error_413": ("फ़ाइल बहुत बड़ी है", "Too large"),
    "error_500": ("सर्वर में त्रुटि", "Server error"),
    "error_what_400": ("जाँचें कि जो लिखा या चुना वह सही है, फिर पुनः प्रयास करें।",
                       "Check what you typed or chose, then try again."),
    "error_what_403": ("यदि आपको यह देखना चाहिए, तो कलेक्टर कार्यालय से अनुमति माँगें।",
                       "If you should see this, ask the collector's office for access."),
    "error_what_404": ("पता जाँचें, या मुख्य पृष्ठ से पुनः आरंभ करें।", "Check the address, or start again from the home page."),
    "error_what_413": ("छोटी फ़ाइल (20 MB तक) चुनें।", "Choose a smaller file (up to 20 MB)."),
    "error_what_500": ("कुछ देर बाद पुनः प्रयास करें; समस्या बनी रहे तो व्यवस्थापक को बताएँ।",
                       "Try again in a while; if it persists, tell the administrator."),
    "why_csrf": ("फ़ॉर्म पुराना हो गया है (सुरक्षा टोकन मेल नहीं खाता) — पृष्ठ पुनः खोलें और दोबारा भेजें",
                 "The form has expired (security token did not match) — reload the page and send it again"),
    "why_role": ("आपकी भूमिका को यह पृष्ठ देखने की अनुमति नहीं है", "Your role may not open this page"),
    "why_branch": ("इस शाखा की अनुमति नहीं है", "You may not see this branch"),
    "why_bad_id": ("यह दस्तावेज़ क्रमांक मान्य नहीं है (केवल अंक)", "That document number is not valid (digits only)"),
    "why_bad_date": ("तिथि दिन/माह/वर्ष (DD/MM/YYYY) में लिखें", "Write the date as DD/MM/YYYY"),
    "why_bad_form": ("फ़ॉर्म पढ़ा नहीं जा सका", "The form could not be read"),
    "why_no_file": ("CSV या XLSX फ़ाइल चुनें", "Choose a CSV or XLSX file"),
    "why_bad_register_kind": ("पंजी .csv या .xlsx फ़ाइल होनी चाहिए", "The register must be a .csv or .xlsx file"),
    "why_bad_register": ("यह फ़ाइल पढ़ी नहीं जा सकी — क्या यह सही CSV/XLSX है?",
                         "This file could not be read — is it a real CSV/XLSX file?"),
    "why_which_branch": ("शाखा चुनें", "Choose a branch"),
    "why_no_branch": ("ऐसी कोई शाखा नहीं है", "There is no such branch"),
    "why_no_document": ("ऐसा कोई दस्तावेज़ नहीं है", "There is no such document"),
    "why_no_pdf": ("इस दस्तावेज़ की खोज योग्य PDF नहीं है", "This document has no searchable PDF"),
    "why_no_page": ("यह पृष्ठ नहीं है", "There is no such page"),
    "why_not_found": ("यह पृष्ठ नहीं है", "There is no such page"),
    "why_too_large": ("अनुरोध बहुत बड़ा है", "The request is too large"),
    "why_no_font": ("देवनागरी फ़ॉन्ट स्थापित नहीं है", "No Devanagari font is installed"),
    "printed_at": ("मुद्रण समय", "Printed"),
    "date_format": ("दिन/माह/वर्ष, जैसे 31/03/2027", "DD/MM/YYYY, e.g. 31/03/2027"),
    "original_name": ("मूल फ़ाइल नाम", "Original file name"),
    "scan_of_page": ("स्कैन, पृष्ठ", "Scan of page"),
    "system": ("प्रणाली", "system"),
    "exported": ("निर्यात", "exported"),
    "home": ("मुख्य पृष्ठ", "Home page"),
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
