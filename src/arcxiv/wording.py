"""Every fixed phrase a learner reads, in one reviewed place.

Templates carry no facts: their words are common English or teaching words, and
never words that change what is asserted ("not", "all", "only", "first" …).
``TEMPLATE_WORDS`` is derived from these strings; the verifier allows exactly
these words (plus the cited source's own) in rephrased and scaffold statements.
"""
from __future__ import annotations

import re

# lesson titles
T_OVERVIEW = "What the paper sets out to do"
T_VOCABULARY = "The key terms in context"
T_NOTATION = "Notation and short forms"
T_FIT = "How the parts fit together"
T_CONNECT = "Ideas that connect the parts"
T_SCOPE = "Conditions, assumptions and scope"
T_OPEN = "What the abstract leaves open"
T_OVERVIEW_SECTION = "Overview"
T_PAPER_BACKGROUND = "The problem and its background"
T_PAPER_DISCUSSION = "What follows, and what is left open"
T_SCOPE_SECTION = "Scope and assumptions"
T_RESULT, T_PART = "Result", "Part"
ROLE_TITLES = {"method": "Approach", "result": "Findings", "aim": "Approach", "background": "Background"}

# block headings
H_CONDITIONS = "Under which conditions"
H_CONDITIONS_TOGETHER = "Each condition with its claim"
H_DEFINED = "Terms defined here"
H_MEMBERS = "The members and their meanings"
H_RECUR = "Ideas that return in several parts"
H_QUALIFIERS = "Qualifiers to keep in mind"
H_OPEN = "Open questions, stated as gaps in the abstract"
H_WHERE = "Where it is in the source"
H_KEY_TERMS = "Key terms and symbols"
H_CLAIMS = "What it claims"
H_STRUCTURE = "How the paper is built"

# readings: a lesson's connected sentences (generate/reading.py)
H_READING = "The reading"
S_READS = "This reading takes sentences {a} of the abstract, in order, one claim at a time."
S_READS_ONE = "This reading takes sentence {a} of the abstract, one claim at a time."
H_ASSUMES = "What this lesson assumes"
S_ASSUMES = "Bring what you know of {terms} to this lesson: the abstract names {them} and leaves {their} definition unstated."
S_USED_IN = "{term} comes up in {where}."  # {term}: "The mean-field limit", "w*"
S_READ_IN = "Lesson {n} reads {term} in context, as part of the paper's argument."
S_READ_IN_MANY = "Lessons {n} read {term} in context, as part of the paper's argument."
S_FROM = "Lesson {n} also uses the {term}, in sentence {s}."
S_ONWARD = "Lesson {n} uses the {term} again, in sentence {s}."
H_RESTS = "Its terms in earlier parts"
H_LEADS = "Its terms in later parts"
H_CHECK = "Check yourself"
CK_CONDITION = "What does sentence {n} claim, and which condition does the claim need?"
CK_EVIDENCE = "What reason does sentence {n} give for its claim?"
CK_MEANS = "Which means does sentence {n} name for what it does?"
CK_CONTRAST = "What does sentence {n} set against its claim, and why does that matter?"
CK_FOLLOWS = "What does sentence {n} say follows, and from what?"
CK_QUANTITY = "Which bound, rate or number does sentence {n} give, and for what?"
CK_TERM = "What does the paper say of {term} in sentence {n}? Say it in your own words."
CK_TERM_MANY = "What does the paper say of {term} in sentences {n}, and how do those uses fit together?"
CK_FOLLOWS_FROM = "Which of the paper's results does sentence {n} draw on, and how does it go beyond them?"
CK_PARTS = "How does the part that opens with sentence {a} prepare the part that opens with sentence {b}?"
CK_WITHOUT = "Sentence {n} states its claim under a condition: what would you need to check before using the claim elsewhere?"
CK_GAP = "Where would you look to learn what the {term} of sentence {n} means, and how would the answer change your reading?"
CK_ROLE = {"result": "What does sentence {n} find? Say it in your own words, with its qualifiers.",
           "background": "What does sentence {n} tell you about the setting the paper starts from?",
           "aim": "What does sentence {n} say the paper does, and what is it for?",
           "method": "What does sentence {n} say the paper does, and what is that step for?",
           "implication": "What does sentence {n} say follows, and from which results?",
           "scope": "What limit does sentence {n} set on the claims?"}
S_RECURS = "Sentences {where} use {term}."
H_OPENINGS = "Where each part begins"
R_AUTHORS = "the authors"  # "we" in a reading
R_HOLDS_LEAD = "It holds "  # a result's condition, said after its claim
R_EVIDENCE_LEAD = "This is "  # "… is challenging due to X" -> "This is due to X."
R_MEANS_LEAD = "This is done "  # "… by using EMDs derived from …" -> "This is done by using EMDs …"
R_THIS = "This"  # "…, indicating X" -> "This indicates X."
R_DOING = "In doing so, the authors"  # "we prove …, identifying X" -> "In doing so, the authors identify X."
S_IN_SENTENCE = "In sentence {n}:"
R_CLAIM_HOLDS = "The claim holds {condition}."

# sentence templates ({x} are filled with source words, cited)
R_IS = "{term} is the {meaning}."
R_IS_PLAIN = "{term} is {meaning}."
R_STANDS = "{term} stands for {meaning}."
R_RELATION = "{a} {label} {b}."
S_MEANING_OPEN = "The abstract leaves the meaning of {term} unstated."
S_OPEN_PREFIX = "The abstract "  # every stated absence opens so
S_VALUE_OPEN = "The abstract leaves the value of the {term} unstated."
S_REQUIRES_OPEN = "The abstract names the {term} but leaves what it requires unstated."
S_REQUIRE_OPEN = "The abstract names the {term} but leaves what they require unstated."
S_SENTENCES = "Sentences {a} of the abstract."
S_SENTENCE = "Sentence {a} of the abstract."
O_AIM = "Say in your own words what the paper sets out to do."
O_PARTS = "Name the {n} parts the paper announces and say what each is about."
O_TERMS = "Say in your own words what the paper says of {terms}."
O_NOTATION = "Read the notation: say what {terms} {mean}."
O_MEAN_ONE, O_MEAN_MANY = "means", "each mean"  # {mean}: the verb agrees with its terms
O_CLAIM = "Explain the claim about {topic} in your own words."
O_CLAIM_OF = "Explain in your own words what the abstract claims in {which}."
O_CONDITIONS = "State the conditions under which it holds."
O_QUANTITIES = "Say what each quantity measures here: {terms}."
O_FIT = "Explain how the parts of the paper fit together."
O_RECUR = "Trace the ideas that return in several parts."
O_SCOPE = "State the conditions and the scope of the claims."
O_OPEN = "Tell what the abstract states from what it leaves open."

TAG_ROOT = "arcxiv"  # flashcard tags: arcxiv::paper::ID, ::lesson::NN, ::section::NN, ::level::L, ::card::KIND
TAG_PARTS = "paper lesson section level card beginner intermediate advanced term symbol acronym cloze relation members condition"

# flashcard fronts
C_WHAT = "What is {term}?"
C_WHAT_THE = "What is the {term}?"
C_WHAT_ELSE = "What else does the abstract say {term} is?"
C_STANDS = "What does {term} stand for?"
C_RELATE = "How do {a} and {b} relate?"
C_MEMBERS = "Name the {head} of the {whole}."
C_CONDITION = "Under which condition does this hold: {claim}?"

# quiz prompts
Q_SYMBOL_FOR = "Which symbol is the {meaning}?"
Q_ACRONYM_FOR = "Which short form stands for {meaning}?"
Q_MEMBER = "Which of these is one of the {head} of the {whole}?"
Q_WHERE = "Which part of the paper brings in {term}?"
Q_STATED = "Does the abstract state this: {statement}"
Q_MATCH = "Match each symbol or short form to its meaning."
Q_ORDER = "Put the {n} parts in the order the paper gives them."
Q_ROLE = "Which of these sentences {does}?"
ROLE_QUESTIONS = {"background": "sets out the problem the paper starts from",
                  "aim": "states what the paper sets out to do",
                  "method": "says how the authors go about it",
                  "result": "reports a result of the paper",
                  "implication": "says what follows from the results",
                  "scope": "sets a limit on the paper's claims"}
Q_ORDER_OPENINGS = "These {n} sentences open the parts of the abstract. Put them in the order the abstract gives them."
# answer words a learner picks from; never part of a statement
CHOICE_TRUE, CHOICE_FALSE = "true", "false"
CHOICE_WORDS = frozenset({CHOICE_TRUE, CHOICE_FALSE})

# exercise prompts
E_COMPARE = "How does the paper relate {a} and {b}? Answer in one sentence."
E_CONNECT = "From which part of the paper does each member of {term} come?"
E_MAP = "Draw a concept map of these terms and label each link with the source's words: {terms}."
E_ARGUMENT = "Summarise the paper's argument in a few sentences: the problem it starts from, then the claim each of its parts opens with, in order."
E_UNPACK = "Take sentence {n} apart: what does it claim, {asks}?"
E_ASKS = {"condition": "under which condition", "means": "by which means", "evidence": "for which reason",
          "contrast": "set against what", "purpose": "for which purpose", "consequence": "with which consequence"}
A_CLAIM = "Claim: "
A_PARTS = {"condition": "Condition: ", "means": "Means: ", "evidence": "Reason: ", "contrast": "Contrast: ",
           "purpose": "Purpose: ", "consequence": "Consequence: "}

# the reading-group hour (a teacher's path; steps and questions are teaching text)
T_READING_GROUP = "A reading-group hour"
RG_INTRO = "A suggested path for a teacher: one hour in four steps, ending on the questions below."
RG_BEGIN = "Read lessons {lessons} together and agree on the key terms and on what the paper assumes."
RG_PARTS = "Take lessons {lessons} in turn: one person reads each part to the group, which checks each claim and its conditions against the source."
RG_EXERCISES = "Work exercises {exercises} in pairs, then compare with the model answers."
RG_EXERCISE = "Work exercise {exercises} in pairs, then compare with the model answer."
RG_ADVANCED = "Read lesson {lessons} together: how the parts fit together."
RG_DISCUSS = "Discuss the questions below."
RG_Q_GAP = "{absence} What would you need to know about it to check the claim that uses it?"
RG_Q_CONDITION = "Sentence {n} states its claim {condition}. What might change if that condition were dropped?"
RG_Q_QUALIFIER = "Sentence {n} says “{words}”. Why might the authors qualify the claim so, and what would a stronger claim need?"
RG_Q_RESULT = "Which result of the paper would you use in your own work, and what does it rest on?"
RG_Q_NEXT = "What would a follow-up study need to test, and why?"
H_RG_STEPS = "The hour, step by step"
H_RG_QUESTIONS = "Questions to discuss"

# deep dives
D_SENTENCE = "Sentence {n}: {role}"
D_ROLES = {"claim": "the claim", "condition": "a condition", "consequence": "what follows", "elaboration": "further detail",
           "contrast": "a contrast", "qualifier": "a qualifier", "quantity": "a quantity"}
D_GLOSS = "Glossary of this section"
D_ELSEWHERE = "{term}: its other mentions"
D_DEPENDS = "What this section builds on"
D_DEPENDED = "What builds on this section"
D_USES = "Uses {term} from the section {title}."
D_USED_BY = "The section {title} uses {term} from here."
D_SELF_CHECK = "Check yourself"

# visuals: diagram titles and labels (T_VIS_*), and their descriptions (S_VIS_*, the alt text)
T_VIS_MAP = "Concept map of the key terms"
T_VIS_ROADMAP = "Learning roadmap"
T_VIS_STRUCTURE = "How the paper is built"
T_VIS_TREE = "The {whole} and its members"
T_VIS_DEPENDS = "Which result uses which definition"
T_VIS_SYMBOLS = "Symbols and short forms"
T_VIS_SYMBOL, T_VIS_MEANING = "Symbol or short form", "Meaning"
T_VIS_BEGINNER, T_VIS_INTERMEDIATE, T_VIS_ADVANCED = "Beginner", "Intermediate", "Advanced"
S_VIS_MAP = "A concept map of the key terms {terms}; each arrow carries the source's words for the link."
# where a sentence of a whole paper is: "4 of section 3.2", "2 of paragraph 5 of the section Methods"
S_AT_NUMBERED = "section {number}"
S_AT_TITLED = "the section {title}"
S_AT_PARAGRAPH = "paragraph {k} of {where}"
S_AT = "{n} of {where}"
S_VIS_ROADMAP = "The {n} lessons from beginner to advanced; each arrow points from a lesson to a lesson that builds on it."
S_VIS_STRUCTURE = "How the paper is built, with arrows from section to section: {flow}."
S_VIS_DEPENDS = "Which result uses which definition, assumption or earlier result: {links}."
S_VIS_USES = "{result} uses {grounds}"
S_VIS_TREE = "A tree of the {whole} and its {n} members: {members}."
S_VIS_SYMBOLS = "A table of the symbols and short forms with their meanings: {rows}."

_TOKEN = re.compile(r"[^\W_]+")


def _words() -> frozenset[str]:
    texts = [v for k, v in globals().items() if k[:2] in ("TA", "T_", "H_", "R_", "S_", "O_", "C_", "Q_", "E_", "D_", "RG", "CK", "A_")
             and isinstance(v, str)]
    texts += list(E_ASKS.values()) + list(A_PARTS.values())
    texts += list(ROLE_TITLES.values()) + list(D_ROLES.values()) + list(ROLE_QUESTIONS.values()) + list(CK_ROLE.values())
    words = set()
    for t in texts:
        words.update(w.lower() for w in _TOKEN.findall(re.sub(r"\{\w+\}", " ", t)))
    return frozenset(words)


TEMPLATE_WORDS = _words()
