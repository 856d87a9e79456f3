/*
 * Word lists that carry no topic. STOP_WORDS: a standard English function-word list (close to
 * the common NLTK/Snowball sets). INSTRUCTION_WORDS: verbs and nouns of asking ("explain",
 * "list", "answer", "question") — they say what to do, not what it is about, so relevance and
 * requirement checks ignore them; otherwise "Explain X" would match any text that "explains".
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are aren as at be because been before being below between both but by ' +
    'can cannot could couldn did didn do does doesn doing don down during each either else etc even ever every few for from further ' +
    'get gets got had hadn has hasn have haven having he her here hers herself him himself his how however i if in into is isn it its itself ' +
    'just let ll me might more most much must mustn my myself need neither no nor not now of off on once one only or other ought our ours ourselves ' +
    'out over own per rather re really s same shall shan she should shouldn so some such t than that the their theirs them themselves then there ' +
    'these they this those though through thus to too under until up upon us ve very via was wasn we were weren what whatever when where ' +
    'whether which while who whom whose why will with within without won would wouldn yet you your yours yourself yourselves'
  ).split(' '),
);

export const INSTRUCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'answer answers ask briefly brief concise concisely create describe detail detailed draft elaborate explain explanation format give ' +
    'help include list make mention name note output please provide question questions reply respond response return short show simple ' +
    'simply state summarize summarise summary tell thank thanks use using want write following below above text sentence sentences word words ' +
    'paragraph paragraphs kindly like know could would assistant'
  ).split(' '),
);
