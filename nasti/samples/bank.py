"""Word banks for synthetic MP collectorate letters: places, people, branches, subjects and body sentences.

Templates use str.format slots filled per letter: {name} {father} {name2} {village} {tehsil} {district}
{khasra} {area} {section} {halka} {days} {date2} {month} {shop} {eoffice}. All names are fictitious.
"""
from __future__ import annotations

# (Hindi, English, weight, tehsils [(Hindi, English)])
DISTRICTS: list[tuple[str, str, int, list[tuple[str, str]]]] = [
    ("राजगढ़", "Rajgarh", 6, [("ब्यावरा", "Biaora"), ("नरसिंहगढ़", "Narsinghgarh"), ("सारंगपुर", "Sarangpur"),
                             ("खिलचीपुर", "Khilchipur"), ("जीरापुर", "Jirapur"), ("राजगढ़", "Rajgarh")]),
    ("बालाघाट", "Balaghat", 1, [("वारासिवनी", "Waraseoni"), ("लांजी", "Lanji"), ("कटंगी", "Katangi"),
                               ("बैहर", "Baihar")]),
    ("सीहोर", "Sehore", 1, [("आष्टा", "Ashta"), ("इछावर", "Ichhawar"), ("बुधनी", "Budhni"),
                           ("नसरुल्लागंज", "Nasrullaganj")]),
    ("विदिशा", "Vidisha", 1, [("बासौदा", "Basoda"), ("सिरोंज", "Sironj"), ("लटेरी", "Lateri"), ("कुरवाई", "Kurwai")]),
    ("गुना", "Guna", 1, [("राघौगढ़", "Raghogarh"), ("चाचौड़ा", "Chachoda"), ("आरोन", "Aron"), ("बमोरी", "Bamori")]),
]

VILLAGES: list[tuple[str, str]] = [
    ("पीपल्याकलां", "Piplyakalan"), ("कालीपीठ", "Kalipeeth"), ("भोजपुर", "Bhojpur"), ("सुठालिया", "Suthaliya"),
    ("करनवास", "Karanwas"), ("तलेन", "Talen"), ("पचोर", "Pachore"), ("कुरावर", "Kurawar"), ("बोड़ा", "Boda"),
    ("माचलपुर", "Machalpur"), ("हरिपुरा", "Haripura"), ("लीमाचौहान", "Limachauhan"), ("खुजनेर", "Khujner"),
    ("संडावता", "Sandawata"), ("कोटरा", "Kotra"), ("धामन्दा", "Dhamanda"),
]

FIRST_NAMES: list[tuple[str, str]] = [
    ("रामप्रसाद", "Ramprasad"), ("मांगीलाल", "Mangilal"), ("सुरेश कुमार", "Suresh Kumar"),
    ("भगवान सिंह", "Bhagwan Singh"), ("राधेश्याम", "Radheshyam"), ("नारायण सिंह", "Narayan Singh"),
    ("मोहनलाल", "Mohanlal"), ("प्रेमनारायण", "Premnarayan"), ("शिवचरण", "Shivcharan"),
    ("कैलाश चंद्र", "Kailash Chandra"), ("बद्रीलाल", "Badrilal"), ("कन्हैयालाल", "Kanhaiyalal"),
    ("दिनेश", "Dinesh"), ("रमेशचंद्र", "Rameshchandra"), ("गोपाल", "Gopal"), ("हरिओम", "Hariom"),
]
SURNAMES: list[tuple[str, str]] = [
    ("शर्मा", "Sharma"), ("यादव", "Yadav"), ("दांगी", "Dangi"), ("गुर्जर", "Gurjar"), ("मीणा", "Meena"),
    ("सोनी", "Soni"), ("तिवारी", "Tiwari"), ("वर्मा", "Verma"), ("प्रजापति", "Prajapati"), ("सोंधिया", "Sondhiya"),
]
SIGNATORY_NAMES: list[tuple[str, str]] = [
    ("आर. के. श्रीवास्तव", "R. K. Shrivastava"), ("एस. एन. मिश्रा", "S. N. Mishra"), ("अनिल कुमार जैन", "Anil Kumar Jain"),
    ("प्रिया चौधरी", "Priya Chaudhary"), ("विवेक सक्सेना", "Vivek Saxena"),
]
MONTHS_HI = ["जनवरी", "फरवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December"]

# key: (Hindi name, English name, Hindi abbreviation for file numbers, English code, topic)
BRANCHES: dict[str, tuple[str, str, str, str, str]] = {
    "revenue": ("राजस्व शाखा", "Revenue Branch", "राज.", "Rev", "revenue"),
    "land_records": ("भू-अभिलेख शाखा", "Land Records Branch", "भू-अभि.", "LR", "revenue"),
    "nazul": ("नजूल शाखा", "Nazul Branch", "नजूल", "Nazul", "revenue"),
    "establishment": ("स्थापना शाखा", "Establishment Branch", "स्था.", "Estt", "establishment"),
    "egovernance": ("ई-गवर्नेंस शाखा", "e-Governance Branch", "ई-गव.", "eGov", "establishment"),
    "record_room": ("अभिलेखागार", "Record Room", "अभि.", "RR", "establishment"),
    "food": ("खाद्य शाखा", "Food Branch", "खाद्य", "PDS", "food"),
}

SUBJECTS_HI: dict[str, list[str]] = {
    "revenue": [
        "ग्राम {village} की भूमि सर्वे क्रमांक {khasra} के नामांतरण बाबत।",
        "कृषि भूमि के सीमांकन हेतु प्रस्तुत आवेदन पत्र के संबंध में।",
        "राजस्व अभिलेख में त्रुटि सुधार बाबत।",
        "बंटवारा प्रकरण में प्रतिवेदन प्रस्तुत करने बाबत।",
        "लंबित नामांतरण एवं सीमांकन प्रकरणों के निराकरण बाबत।",
    ],
    "establishment": [
        "अर्जित अवकाश स्वीकृति बाबत।",
        "कर्मचारियों के स्थानांतरण आदेश बाबत।",
        "ई-ऑफिस प्रणाली के क्रियान्वयन बाबत।",
        "भौतिक नस्तियों के डिजिटाइजेशन बाबत।",
        "अभिलेखों के वर्गीकरण एवं विनष्टीकरण बाबत।",
    ],
    "food": [
        "उचित मूल्य दुकानों के निरीक्षण बाबत।",
        "पात्रता पर्ची वितरण की समीक्षा बाबत।",
        "गेहूं उपार्जन केन्द्रों पर व्यवस्था बाबत।",
    ],
}
SUBJECTS_EN: dict[str, list[str]] = {
    "revenue": [
        "Mutation of land bearing Survey No. {khasra}, village {village}.",
        "Demarcation of agricultural land - regarding.",
        "Correction of entries in the revenue records.",
        "Disposal of pending mutation and demarcation cases.",
    ],
    "establishment": [
        "Sanction of earned leave.",
        "Transfer of ministerial staff - regarding.",
        "Migration of physical files to eOffice - regarding.",
        "Digitisation of old records of the Collectorate.",
    ],
    "food": [
        "Inspection of fair price shops - regarding.",
        "Review of distribution of eligibility slips.",
    ],
}

OPENERS_HI = ["उपरोक्त विषयांतर्गत लेख है कि", "विषयांतर्गत निवेदन है कि", "उपरोक्त विषय में लेख है कि"]
OPENERS_EN = ["With reference to the above subject, it is to inform that", "In this connection it is stated that"]

BODY_HI: dict[str, list[str]] = {
    "revenue": [
        "आवेदक श्री {name} पिता श्री {father} निवासी ग्राम {village} द्वारा इस कार्यालय में आवेदन प्रस्तुत किया गया है।",
        "आवेदक द्वारा ग्राम {village} स्थित भूमि सर्वे क्रमांक {khasra} रकबा {area} हेक्टेयर के नामांतरण का निवेदन किया गया है।",
        "कृपया संबंधित हल्का पटवारी से मौका जांच कराकर प्रतिवेदन {days} दिवस में इस कार्यालय को भेजना सुनिश्चित करें।",
        "तहसीलदार {tehsil} द्वारा पारित आदेश दिनांक {date2} के अनुसार राजस्व अभिलेख में अमल किया जावे।",
        "सीमांकन हेतु राजस्व निरीक्षक एवं हल्का पटवारी का दल गठित कर पंचनामा सहित प्रतिवेदन प्रस्तुत करें।",
        "प्रकरण में आगामी पेशी दिनांक {date2} नियत है, अतः समस्त मूल अभिलेख सहित उपस्थित रहें।",
        "खसरा एवं बी-1 की प्रमाणित प्रतिलिपि इस पत्र के साथ संलग्न कर भेजी जा रही है।",
        "मध्यप्रदेश भू-राजस्व संहिता 1959 की धारा {section} के अंतर्गत नियमानुसार कार्यवाही की जावे।",
        "पटवारी हल्का नंबर {halka} के प्रतिवेदन अनुसार भूमि पर आवेदक का कब्जा पाया गया है।",
        "आपत्ति प्राप्त न होने की स्थिति में प्रकरण का निराकरण गुण-दोष के आधार पर किया जावेगा।",
        "लोक सेवा गारंटी अधिनियम के अंतर्गत समय-सीमा में प्रकरण का निराकरण सुनिश्चित करें।",
    ],
    "establishment": [
        "शासन के निर्देशानुसार इस कार्यालय की समस्त शाखाओं की नस्तियों को ई-ऑफिस प्रणाली में स्थानांतरित किया जाना है।",
        "दिनांक {date2} के पश्चात किसी भी शाखा में भौतिक नस्ती का संधारण नहीं किया जाएगा।",
        "सभी शाखा प्रभारी अपनी शाखा के अभिलेखों का वर्गीकरण क, ख एवं ग श्रेणी में कर सूची प्रस्तुत करें।",
        "स्कैनिंग का कार्य प्रतिदिन प्रातः 10:30 बजे से अभिलेखागार कक्ष में किया जाएगा।",
        "श्री {name}, सहायक ग्रेड-3 को दिनांक {date2} से {days} दिवस का अर्जित अवकाश स्वीकृत किया जाता है।",
        "अवकाश अवधि में उनका कार्य श्री {name2}, सहायक ग्रेड-2 द्वारा संपादित किया जाएगा।",
        "ई-ऑफिस प्रशिक्षण दिनांक {date2} को प्रातः 11:00 बजे एन.आई.सी. कक्ष में आयोजित किया जाएगा।",
        "प्रशिक्षण में सभी शाखाओं के लिपिक एवं शाखा प्रभारी अनिवार्य रूप से उपस्थित रहें।",
        "प्रशासनिक दृष्टि से श्री {name} का स्थानांतरण तहसील कार्यालय {tehsil} किया जाता है।",
        "कार्यालय में प्राप्त समस्त आवक पत्रों की प्रविष्टि ई-ऑफिस में रसीद के रूप में की जावे।",
    ],
    "food": [
        "जिले की समस्त उचित मूल्य दुकानों का माह {month} में निरीक्षण किया जाना है।",
        "खाद्य निरीक्षक द्वारा दुकान क्रमांक {shop} ग्राम {village} का निरीक्षण दिनांक {date2} को किया गया।",
        "निरीक्षण में स्टॉक पंजी एवं वितरण पंजी में अनियमितता पाई गई है।",
        "पात्र हितग्राहियों को माह {month} का खाद्यान्न समय पर वितरित किया जाना सुनिश्चित करें।",
        "अनियमितता के संबंध में तीन दिवस में स्पष्टीकरण प्रस्तुत करें, अन्यथा एकपक्षीय कार्यवाही की जावेगी।",
    ],
}
CLOSERS_HI = [
    "कृपया प्रकरण को सर्वोच्च प्राथमिकता देवें।",
    "यह आदेश तत्काल प्रभाव से लागू होगा।",
    "पालन प्रतिवेदन इस कार्यालय को भेजना सुनिश्चित करें।",
    "उक्त कार्य में लापरवाही पाए जाने पर संबंधित के विरुद्ध अनुशासनात्मक कार्यवाही की जावेगी।",
]

BODY_EN: dict[str, list[str]] = {
    "revenue": [
        "Shri {name} S/o Shri {father}, resident of village {village}, has submitted an application to this office.",
        "The applicant has requested mutation of land bearing Survey No. {khasra}, area {area} hectare.",
        "The Patwari of the concerned halka is directed to submit the spot inspection report within {days} days.",
        "Action may be taken under Section {section} of the M.P. Land Revenue Code, 1959.",
        "The next date of hearing is fixed on {date2}; all original records shall be produced.",
        "Certified copies of the Khasra and B-1 of village {village} are enclosed herewith.",
        "The Tahsildar, {tehsil} shall ensure that the order is entered in the revenue records.",
    ],
    "establishment": [
        "As per the instructions of the State Government, all physical files of this office go to eOffice.",
        "No physical file shall be maintained in any branch after {date2}.",
        "All Branch Officers shall classify their records in categories A, B and C and submit the list.",
        "Training on e-File will be conducted in the NIC room on {date2} at 11:00 AM.",
        "Earned leave of {days} days is sanctioned to Shri {name}, Assistant Grade-3, with effect from {date2}.",
        "Shri {name2}, Assistant Grade-2, is transferred to the Tahsil Office, {tehsil}, in administrative interest.",
        "Scanned notings and correspondence shall be uploaded as PDF at 200 dpi.",
    ],
    "food": [
        "All fair price shops of the district are to be inspected during the month of {month}.",
        "Irregularities were found in the stock register of shop No. {shop} at village {village}.",
        "The shopkeeper shall submit an explanation within three days, failing which action will be taken.",
        "Food grains for the month of {month} shall be distributed to all eligible beneficiaries in time.",
    ],
}
CLOSERS_EN = [
    "This issues with the approval of the Collector.",
    "The matter may be treated as most urgent.",
    "Compliance report may be sent to this office at the earliest.",
]

# Hindi sentences carrying English words, for lang="mixed"
MIXED: list[str] = [
    "ई-ऑफिस (eOffice) पोर्टल पर प्रत्येक भौतिक नस्ती के लिए e-File बनाई जावे।",
    "स्कैन की गई नोटशीट एवं पत्राचार को PDF प्रारूप में 200 dpi पर अपलोड करें।",
    "NIC द्वारा प्रदत्त user ID एवं DSC से ही e-File पर हस्ताक्षर किए जावें।",
    "File No. {eoffice} की सभी Receipts को Notes से link करें।",
    "किसी तकनीकी समस्या हेतु District e-Governance Manager से संपर्क करें।",
    "Digitisation का कार्य दिनांक {date2} तक पूर्ण किया जाना है।",
    "आवेदन की scanned copy एवं Khasra की PDF प्रति ई-मेल से भेजें।",
]
