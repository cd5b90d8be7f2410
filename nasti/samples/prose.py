"""Running text for book-like pages: Hindi, Marathi and Sanskrit prose and verse in Devanagari, and English.

Plain sentences of the kind gazetteers, district histories, school books and collections of verse print; the
Sanskrit lines are well-known public-domain verses. Numbers are kept (years, counts, page references) because
digits are what OCR most often gets wrong. `paragraphs(rng, lang, n)` strings sentences into paragraphs.
"""
from __future__ import annotations

import random

HINDI = [
    "भारत एक विशाल देश है जिसकी संस्कृति हजारों वर्ष पुरानी है।",
    "गाँव के लोग सुबह जल्दी उठकर अपने खेतों की ओर चल पड़ते हैं।",
    "इस पुस्तक में प्रदेश के इतिहास, भूगोल और लोक जीवन का वर्णन किया गया है।",
    "वर्षा ऋतु में नदियाँ भर जाती हैं और चारों ओर हरियाली छा जाती है।",
    "शिक्षा के बिना किसी भी समाज की उन्नति संभव नहीं है।",
    "पुराने अभिलेखों से पता चलता है कि यह नगर व्यापार का प्रमुख केंद्र था।",
    "किसानों को उचित मूल्य पर बीज और खाद उपलब्ध कराना शासन का दायित्व है।",
    "लेखक ने अपने अनुभवों को सरल और सहज भाषा में प्रस्तुत किया है।",
    "मेले में दूर-दूर से लोग आते हैं और कई दिनों तक उत्सव मनाया जाता है।",
    "पंचायत ने गाँव में पीने के पानी की व्यवस्था के लिए नया कुआँ खुदवाया।",
    "इतिहासकारों का मत है कि इस किले का निर्माण सोलहवीं शताब्दी में हुआ था।",
    "हिंदी साहित्य में प्रेमचंद की कहानियों का विशेष स्थान है।",
    "नगर के बीच में एक पुराना मंदिर है जिसकी दीवारों पर सुंदर चित्र बने हैं।",
    "विद्यालय के पुस्तकालय में लगभग पाँच हजार पुस्तकें रखी गई हैं।",
    "सन् 1952 में यहाँ पहली बार आम चुनाव कराए गए थे।",
    "जनगणना के अनुसार जिले की कुल जनसंख्या 12,45,678 थी।",
    "जिले में गेहूँ, चना, सोयाबीन और मक्का की खेती प्रमुख रूप से होती है।",
    "तहसील कार्यालय में भूमि के सभी अभिलेख सुरक्षित रखे जाते हैं।",
    "नदी के किनारे बसे इस कस्बे की आबादी लगभग 8,500 है।",
    "राज्य शासन ने वर्ष 1987 में इस क्षेत्र को नया जिला घोषित किया।",
    "ग्रामीण क्षेत्रों में सड़कों के निर्माण से आवागमन सुगम हो गया है।",
    "प्रत्येक अध्याय के अंत में प्रश्न और अभ्यास दिए गए हैं।",
]

MARATHI = [
    "महाराष्ट्रातील अनेक गावांमध्ये आजही जुन्या परंपरा जपल्या जातात.",
    "पावसाळ्यात डोंगरांवर सर्वत्र हिरवळ पसरलेली दिसते.",
    "या पुस्तकात संतांच्या अभंगांचा आणि ओव्यांचा संग्रह आहे.",
    "शेतकऱ्यांनी नवीन पद्धतीने शेती करण्यास सुरुवात केली आहे.",
    "शाळेतील मुलांनी स्वच्छता मोहिमेत उत्साहाने भाग घेतला.",
    "पुण्याच्या जुन्या वाड्यांमध्ये इतिहासाच्या अनेक खुणा आढळतात.",
    "ग्रामपंचायतीने गावात नवीन वाचनालय सुरू केले.",
    "लेखकाने आपल्या आठवणी अत्यंत साध्या भाषेत मांडल्या आहेत.",
    "नदीच्या काठावर एक प्राचीन मंदिर उभे आहे.",
    "सन 1960 मध्ये महाराष्ट्र राज्याची स्थापना झाली.",
    "या जिल्ह्याचे एकूण क्षेत्रफळ 7,718 चौरस किलोमीटर आहे.",
    "गावातील बहुतेक लोक शेती आणि पशुपालन करतात.",
    "मराठी भाषेला समृद्ध साहित्यिक परंपरा लाभली आहे.",
    "किल्ल्याच्या पायथ्याशी एक लहानसे गाव वसलेले आहे.",
]

SANSKRIT = [   # whole verses: both half-lines
    "धर्मक्षेत्रे कुरुक्षेत्रे समवेता युयुत्सवः। मामकाः पाण्डवाश्चैव किमकुर्वत सञ्जय॥",
    "कर्मण्येवाधिकारस्ते मा फलेषु कदाचन। मा कर्मफलहेतुर्भूर्मा ते सङ्गोऽस्त्वकर्मणि॥",
    "यदा यदा हि धर्मस्य ग्लानिर्भवति भारत। अभ्युत्थानमधर्मस्य तदात्मानं सृजाम्यहम्॥",
    "विद्या ददाति विनयं विनयाद्याति पात्रताम्। पात्रत्वाद्धनमाप्नोति धनाद्धर्मं ततः सुखम्॥",
    "सर्वे भवन्तु सुखिनः सर्वे सन्तु निरामयाः। सर्वे भद्राणि पश्यन्तु मा कश्चिद्दुःखभाग्भवेत्॥",
    "उद्यमेन हि सिध्यन्ति कार्याणि न मनोरथैः। न हि सुप्तस्य सिंहस्य प्रविशन्ति मुखे मृगाः॥",
    "अयं निजः परो वेति गणना लघुचेतसाम्। उदारचरितानां तु वसुधैव कुटुम्बकम्॥",
    "सत्यं ब्रूयात् प्रियं ब्रूयात् न ब्रूयात् सत्यमप्रियम्। प्रियं च नानृतं ब्रूयात् एष धर्मः सनातनः॥",
]

ENGLISH = [
    "The district gazetteer records the history of every tehsil and its principal villages.",
    "Rainfall in the region is uneven, and most of it falls between June and September.",
    "The committee met on 14 March 1987 and approved the revised estimates.",
    "Copies of the order were sent to all the Sub-Divisional Officers for compliance.",
    "The old records room holds registers dating back to the year 1911.",
    "Agriculture remains the main occupation of the people of the district.",
    "The population of the town was 45,312 according to the census of 1981.",
    "A new bridge over the river was opened to traffic in the following year.",
    "The report recommends that the land records be brought up to date without delay.",
    "Schools in the area were closed for two weeks during the floods.",
    "The author thanks the staff of the State Archives for their kind assistance.",
    "Further details are given in the appendix at the end of this volume.",
    "Wheat, gram and soybean are the chief crops grown on the black soil of the plateau.",
    "The fort was repaired in 1856 and later used as a district treasury.",
    "Each chapter ends with a short list of questions for the reader.",
]

TEXTS = {"hi": HINDI, "mr": MARATHI, "sa": SANSKRIT, "en": ENGLISH}
HEADS = {
    "hi": ["जिला गजेटियर", "प्रदेश का इतिहास", "लोक जीवन और संस्कृति", "भूमि और कृषि", "अध्याय"],
    "mr": ["जिल्हा गॅझेटियर", "महाराष्ट्राचा इतिहास", "संत साहित्य", "अध्याय"],
    "sa": ["श्रीमद्भगवद्गीता", "सुभाषितसंग्रहः", "अध्यायः"],
    "en": ["District Gazetteer", "A History of the Province", "Land and Agriculture", "Chapter"],
}
FOOTNOTES = {
    "hi": ["देखिए, जिला गजेटियर, {y}, पृष्ठ {p}।", "मूल अभिलेख तहसील कार्यालय में उपलब्ध है।",
           "जनगणना {y} के आँकड़ों के अनुसार।"],
    "mr": ["पहा, जिल्हा गॅझेटियर, {y}, पृष्ठ {p}.", "मूळ कागदपत्रे पुराभिलेख विभागात आहेत."],
    "sa": ["श्लोकः {p}।", "पाठभेदः, पृष्ठ {p}।"],
    "en": ["See the District Gazetteer, {y}, p. {p}.", "Census of India, {y}, Vol. {p}.",
           "The original register is kept in the Record Room."],
}


def paragraphs(rng: random.Random, lang: str, n: int, sentences: tuple[int, int] = (2, 5)) -> list[str]:
    """`n` paragraphs of `sentences` sentences each (Sanskrit: one or two whole verses), drawn from the bank."""
    bank = TEXTS[lang]
    low, high = (1, 2) if lang == "sa" else sentences
    return [" ".join(rng.sample(bank, rng.randint(low, high))) for _ in range(n)]


def footnote(rng: random.Random, lang: str, number: int) -> str:
    text = rng.choice(FOOTNOTES[lang]).format(y=rng.randint(1881, 1991), p=rng.randint(3, 412))
    return f"{number}. {text}"


def heading(rng: random.Random, lang: str) -> str:
    head = rng.choice(HEADS[lang])
    return f"{head} {rng.randint(1, 14)}" if head in ("अध्याय", "अध्यायः", "Chapter") else head
