"""Why a file was not taken, in words a clerk can act on: Hindi first, then English.

A reason never carries raw tool output or a server path (those go into the event's detail). Details that fill a
reason are given in both languages, so the Hindi line stays Hindi.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    hi: str             # what is wrong — what to do (Hindi)
    en: str             # what is wrong — what to do (English)


SCAN_AGAIN = ("दस्तावेज़ को दोबारा स्कैन करें", "scan the document again")
TELL_EGOV = ("दोबारा स्कैन करें; समस्या रहे तो ई-गवर्नेंस शाखा को बताएँ",
             "scan it again; if it happens again, tell the e-governance branch")
NOTHING_TO_DO = ("आपको कुछ करने की ज़रूरत नहीं", "nothing to do")

# code: (Hindi problem, Hindi action, English problem, English action). {hi}/{en} (the detail in each language) and
# {first} are filled in.
_CATALOG: dict[str, tuple[str, str, str, str]] = {
    "empty_file": ("फ़ाइल खाली है (0 बाइट)", "स्कैन दोबारा सहेजें और फिर से कॉपी करें",
                   "The file is empty (0 bytes)", "save the scan again and copy it again"),
    "unsupported_type": ("यह {hi} है, स्कैन की गई फ़ाइल नहीं; केवल PDF, TIFF, JPEG या PNG फ़ाइलें ली जाती हैं",
                         "दस्तावेज़ को स्कैन करके PDF, TIFF, JPEG या PNG में रखें",
                         "This is a {en}, not a scan; only PDF, TIFF, JPEG or PNG files are taken",
                         "scan the document and drop it as PDF, TIFF, JPEG or PNG"),
    "truncated_pdf": ("PDF अधूरी है (कॉपी बीच में टूट गई)", "मूल स्कैन से PDF दोबारा कॉपी करें",
                      "The PDF is incomplete (the copy was cut short)", "copy the PDF again from the original scan"),
    "corrupt_pdf": ("PDF खराब है और खोली नहीं जा सकती", SCAN_AGAIN[0],
                    "The PDF is damaged and cannot be opened", SCAN_AGAIN[1]),
    "encrypted_pdf": ("यह PDF पासवर्ड से सुरक्षित है", "बिना पासवर्ड के दोबारा स्कैन करें",
                      "This PDF is password-protected", "scan it again without a password"),
    "no_pages": ("PDF में कोई पृष्ठ नहीं है", SCAN_AGAIN[0], "The PDF has no pages", SCAN_AGAIN[1]),
    "too_many_pages": ("फ़ाइल में {hi} पृष्ठ हैं, सीमा से अधिक", "फ़ाइल को छोटे भागों में स्कैन करें",
                       "The file has {en} pages, more than the limit", "scan the file in smaller parts"),
    "file_too_large": ("फ़ाइल बहुत बड़ी है ({hi})", "300 dpi पर स्कैन करें या फ़ाइल को भागों में बाँटें",
                       "The file is too large ({en})", "scan at 300 dpi or split the file into parts"),
    "image_too_large": ("चित्र बहुत बड़ा है ({hi})", "300 dpi पर, A4 या लीगल आकार में दोबारा स्कैन करें",
                        "The image is too large ({en})", "scan it again at 300 dpi, A4 or legal size"),
    "image_too_small": ("चित्र बहुत छोटा है ({hi}), इसमें पढ़ने लायक पृष्ठ नहीं है",
                        "पूरे पृष्ठ को 300 dpi पर दोबारा स्कैन करें",
                        "The image is too small ({en}) to hold a readable page",
                        "scan the whole page again at 300 dpi"),
    "image_odd_shape": ("चित्र का आकार किसी पृष्ठ जैसा नहीं है ({hi}, बहुत लंबी पट्टी)",
                        "पूरे पृष्ठ को दोबारा स्कैन करें",
                        "The image is not shaped like a page ({en}, a very long strip)",
                        "scan the whole page again"),
    "page_too_complex": ("PDF का एक पृष्ठ ({hi}) पढ़ने के लिए बहुत जटिल है", "कागज़ का दस्तावेज़ दोबारा स्कैन करें",
                         "A page of the PDF ({en}) is too complex to read", "scan the paper document again"),
    "unreadable_image": ("चित्र पढ़ा नहीं जा सका", SCAN_AGAIN[0], "The image cannot be read", SCAN_AGAIN[1]),
    "symlink": ("यह एक शॉर्टकट/लिंक है, असली फ़ाइल नहीं", "असली स्कैन फ़ाइल को ही फ़ोल्डर में कॉपी करें",
                "This is a shortcut/link, not a file", "copy the scanned file itself into the folder"),
    "not_a_file": ("यह कोई फ़ाइल नहीं है (पाइप या डिवाइस)", "असली स्कैन फ़ाइल को ही फ़ोल्डर में कॉपी करें",
                   "This is not a file (a pipe or a device)", "copy the scanned file itself into the folder"),
    "top_level": ("फ़ाइल किसी शाखा के फ़ोल्डर में नहीं है", "फ़ाइल को अपनी शाखा के फ़ोल्डर (जैसे revenue) में रखें",
                  "The file is not inside a branch folder", "put it in your branch's folder (e.g. revenue)"),
    "page_timeout": ("एक पृष्ठ पढ़ने में बहुत समय लगा", TELL_EGOV[0], "A page took too long to read", TELL_EGOV[1]),
    "ocr_failed": ("दस्तावेज़ पढ़ा नहीं जा सका", TELL_EGOV[0], "The document could not be read", TELL_EGOV[1]),
    "duplicate": ("यह फ़ाइल पहले ही डिजिटाइज़ हो चुकी है: {first}", "इसे दोबारा स्कैन करने की ज़रूरत नहीं; यह प्रति हटाई जा सकती है",
                  "This file was already digitised: {first}", "no need to scan it again; this copy can be deleted"),
    "only_cover_sheets": ("फ़ाइल के सभी {hi} पृष्ठ nasti के आवरण/विभाजक पृष्ठ हैं, किसी नस्ती का कोई पृष्ठ नहीं",
                          "आवरण पृष्ठ नस्ती के ऊपर रखकर पूरी नस्ती स्कैन करें; छपाई की PDF फ़ोल्डर में न रखें",
                          "All {en} pages of the file are nasti cover or divider sheets, no page of any file",
                          "put each cover sheet on top of its file and scan the whole file; do not drop the printout"),
    # the clerk changed the file while nasti worked on it: the old record closes, nothing was lost
    "replaced": ("काम के दौरान इस नाम पर नई फ़ाइल रख दी गई; नई फ़ाइल अलग से ली जा रही है", NOTHING_TO_DO[0],
                 "A new file was put under this name while the first was being processed; the new file is taken on "
                 "its own", NOTHING_TO_DO[1]),
    "removed": ("फ़ाइल संसाधित होने से पहले हटा दी गई या उसका नाम बदल दिया गया; नए नाम वाली फ़ाइल अलग से ली जाती है",
                NOTHING_TO_DO[0],
                "The file was removed or renamed before it was processed; a renamed file is taken under its new name",
                NOTHING_TO_DO[1]),
    # nasti itself could not finish (state `failed`): the original stays in the share
    "internal_error": ("nasti इस फ़ाइल को पूरा नहीं कर सका; मूल फ़ाइल फ़ोल्डर में सुरक्षित है",
                       "कुछ देर बाद अपने-आप दोबारा कोशिश होगी; फ़ाइल वहीं रहे तो ई-गवर्नेंस शाखा को बताएँ",
                       "nasti could not finish this file; the original is safe in the folder",
                       "it is tried again automatically; if it stays, tell the e-governance branch"),
    "file_unreadable": ("nasti को यह फ़ाइल पढ़ने की अनुमति नहीं है; फ़ाइल फ़ोल्डर में ही है",
                        "ई-गवर्नेंस शाखा को बताएँ; अनुमति मिलते ही फ़ाइल अपने-आप ली जाएगी",
                        "nasti is not allowed to read this file; it stays in the folder",
                        "tell the e-governance branch; it is taken automatically once nasti may read it"),
    "archive_full": ("संग्रह की डिस्क भर गई है; मूल फ़ाइल फ़ोल्डर में सुरक्षित है",
                     "ई-गवर्नेंस शाखा को बताएँ; जगह बनते ही फ़ाइल अपने-आप ली जाएगी",
                     "The archive disk is full; the original is safe in the folder",
                     "tell the e-governance branch; the file is taken automatically once there is room"),
    "archive_conflict": ("संग्रह में इस फ़ाइल की प्रति की जगह पर पहले से कोई दूसरी फ़ाइल है (उसे बदला नहीं गया); "
                         "मूल फ़ाइल फ़ोल्डर में सुरक्षित है",
                         "ई-गवर्नेंस शाखा को बताएँ; ठीक होते ही फ़ाइल अपने-आप ली जाएगी",
                         "Another file is already in the archive where this file's copy belongs (it was not "
                         "overwritten); the original is safe in the folder",
                         "tell the e-governance branch; the file is taken automatically once it is sorted out"),
    "archive_unwritable": ("संग्रह में लिखा नहीं जा सकता; मूल फ़ाइल फ़ोल्डर में सुरक्षित है",
                           "ई-गवर्नेंस शाखा को बताएँ; ठीक होते ही फ़ाइल अपने-आप ली जाएगी",
                           "The archive cannot be written; the original is safe in the folder",
                           "tell the e-governance branch; the file is taken automatically once it is fixed"),
}

# the kinds of file `ingest.filetype.sniff` names, in Hindi
TYPE_HI: dict[str, str] = {
    "GIF image": "GIF चित्र", "BMP image": "BMP चित्र", "RIFF file (WebP image, AVI or WAV)": "RIFF फ़ाइल (WebP/AVI/WAV)",
    "JPEG 2000 image": "JPEG 2000 चित्र", "old Microsoft Office document (.doc/.xls)": "पुराना Office दस्तावेज़",
    "RAR archive": "RAR संग्रह फ़ाइल", "7-Zip archive": "7-Zip संग्रह फ़ाइल", "gzip archive": "gzip संग्रह फ़ाइल",
    "RTF document": "RTF दस्तावेज़", "DjVu document": "DjVu दस्तावेज़", "Windows program": "Windows प्रोग्राम",
    "Word document (.docx)": "Word दस्तावेज़ (.docx)", "Excel workbook (.xlsx)": "Excel फ़ाइल (.xlsx)",
    "PowerPoint presentation (.pptx)": "PowerPoint फ़ाइल (.pptx)", "OpenDocument file": "OpenDocument फ़ाइल",
    "ZIP archive": "ZIP संग्रह फ़ाइल", "HEIC photo": "HEIC फ़ोटो", "HTML web page": "HTML वेब पेज",
    "XML/SVG file": "XML/SVG फ़ाइल", "plain text file": "सादा टेक्स्ट फ़ाइल",
    "file of an unknown kind": "अज्ञात प्रकार की फ़ाइल",
    "empty file": "खाली फ़ाइल",
}


def reason(code: str, en: str = "", hi: str = "", *, first: str = "") -> Reason:
    """The bilingual reason for `code`; an unknown code gets the generic `internal_error` words."""
    hi_p, hi_a, en_p, en_a = _CATALOG.get(code, _CATALOG["internal_error"])
    fill = {"en": en, "hi": hi or en, "first": first}
    hi_p, en_p = hi_p.format(**fill).replace(" ()", ""), en_p.format(**fill).replace(" ()", "")
    return Reason(code=code, hi=f"{hi_p} — {hi_a.format(**fill)}", en=f"{en_p} — {en_a.format(**fill)}")


def known(code: str) -> bool:
    return code in _CATALOG


def reason_file_text(name: str, r: Reason) -> str:
    lines = [f"फ़ाइल: {name}", f"स्थिति: लौटाई गई — {r.hi}", "", f"File: {name}", f"Status: returned — {r.en}"]
    return "\n".join(lines) + "\n"
