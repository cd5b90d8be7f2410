"""Why a file was not taken, in words a clerk can act on: Hindi first, then English."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    code: str
    hi: str             # what is wrong — what to do (Hindi)
    en: str             # what is wrong — what to do (English)


# code: (Hindi problem, Hindi action, English problem, English action). {name}/{detail}/{first} are filled in.
_CATALOG: dict[str, tuple[str, str, str, str]] = {
    "empty_file": ("फ़ाइल खाली है (0 बाइट)", "स्कैन दोबारा सहेजें और फिर से कॉपी करें",
                   "The file is empty (0 bytes)", "save the scan again and copy it again"),
    "unsupported_type": ("यह {detail} है, स्कैन की गई फ़ाइल नहीं; केवल PDF, TIFF, JPEG या PNG लिए जाते हैं",
                         "दस्तावेज़ को स्कैन करके PDF, TIFF, JPEG या PNG में रखें",
                         "This is a {detail}, not a scan; only PDF, TIFF, JPEG or PNG files are taken",
                         "scan the document and drop it as PDF, TIFF, JPEG or PNG"),
    "truncated_pdf": ("PDF अधूरी है (कॉपी बीच में टूट गई)", "मूल स्कैन से PDF दोबारा कॉपी करें",
                      "The PDF is incomplete (the copy was cut short)", "copy the PDF again from the original scan"),
    "corrupt_pdf": ("PDF खराब है और खोली नहीं जा सकती ({detail})", "दस्तावेज़ को दोबारा स्कैन करें",
                    "The PDF is damaged and cannot be opened ({detail})", "scan the document again"),
    "encrypted_pdf": ("यह PDF पासवर्ड से सुरक्षित है", "बिना पासवर्ड के दोबारा स्कैन करें",
                      "This PDF is password-protected", "scan it again without a password"),
    "no_pages": ("PDF में कोई पृष्ठ नहीं है", "दस्तावेज़ को दोबारा स्कैन करें",
                 "The PDF has no pages", "scan the document again"),
    "too_many_pages": ("फ़ाइल में {detail} पृष्ठ हैं, सीमा से अधिक", "फ़ाइल को छोटे भागों में स्कैन करें",
                       "The file has {detail} pages, more than the limit", "scan the file in smaller parts"),
    "file_too_large": ("फ़ाइल बहुत बड़ी है ({detail})", "300 dpi पर स्कैन करें या फ़ाइल को भागों में बाँटें",
                       "The file is too large ({detail})", "scan at 300 dpi or split the file into parts"),
    "image_too_large": ("चित्र बहुत बड़ा है ({detail})", "300 dpi पर, A4/लीगल आकार में दोबारा स्कैन करें",
                        "The image is too large ({detail})", "scan it again at 300 dpi, A4 or legal size"),
    "unreadable_image": ("चित्र पढ़ा नहीं जा सका ({detail})", "दस्तावेज़ को दोबारा स्कैन करें",
                         "The image cannot be read ({detail})", "scan the document again"),
    "symlink": ("यह एक शॉर्टकट/लिंक है, असली फ़ाइल नहीं", "असली स्कैन फ़ाइल को ही फ़ोल्डर में कॉपी करें",
                "This is a shortcut/link, not a file", "copy the scanned file itself into the folder"),
    "top_level": ("फ़ाइल किसी शाखा के फ़ोल्डर में नहीं है", "फ़ाइल को अपनी शाखा के फ़ोल्डर (जैसे revenue) में रखें",
                  "The file is not inside a branch folder", "put it in your branch's folder (e.g. revenue)"),
    "page_timeout": ("एक पृष्ठ पढ़ने में बहुत समय लगा ({detail})", "दस्तावेज़ को दोबारा स्कैन करें; समस्या रहे तो ई-गवर्नेंस शाखा को बताएँ",
                     "A page took too long to read ({detail})",
                     "scan the document again; if it happens again, tell the e-governance branch"),
    "ocr_failed": ("दस्तावेज़ पढ़ा नहीं जा सका ({detail})", "दस्तावेज़ को दोबारा स्कैन करें; समस्या रहे तो ई-गवर्नेंस शाखा को बताएँ",
                   "The document could not be read ({detail})",
                   "scan it again; if it happens again, tell the e-governance branch"),
    "duplicate": ("यह फ़ाइल पहले ही डिजिटाइज़ हो चुकी है: {first}", "इसे दोबारा स्कैन करने की ज़रूरत नहीं; यह प्रति हटाई जा सकती है",
                  "This file was already digitised: {first}", "no need to scan it again; this copy can be deleted"),
}


def reason(code: str, detail: str = "", *, first: str = "") -> Reason:
    hi_p, hi_a, en_p, en_a = _CATALOG.get(code, _CATALOG["ocr_failed"])
    fill = {"detail": detail, "first": first}
    return Reason(code=code, hi=f"{hi_p.format(**fill)} — {hi_a.format(**fill)}",
                  en=f"{en_p.format(**fill)} — {en_a.format(**fill)}")


def reason_file_text(name: str, r: Reason, technical: str = "") -> str:
    lines = [f"फ़ाइल: {name}", f"स्थिति: लौटाई गई — {r.hi}", "", f"File: {name}", f"Status: returned — {r.en}"]
    if technical and technical not in r.en:
        lines += ["", f"(technical detail: {technical})"]
    return "\n".join(lines) + "\n"
