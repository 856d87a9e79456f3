/*
 * English word stock for the bench's text generator. Base forms only; rows.ts inflects
 * them (plurals, -ed/-ing/-s verb forms, -ly adverbs) into a vocabulary of a few thousand
 * words, so full-text indexing and deflate see realistic term counts, not one repeated phrase.
 * Deliberately absent: the planted search terms in rows.ts (MID_TERM, RARE_TERM).
 */

export const FUNCTION_WORDS = `the of and to a in is that for it as with was on be by this are or from at an but not
have has had which they you we can will would there their what all if when one so more about into than them these
some could only other its our may also should then how been most such where each after those while any because both
through between under over before during without within against among since until upon around however although
whether either neither every many much few several very just even still already often never always again here`
  .split(/\s+/);

export const NOUNS = `account action address agent agreement algorithm amount analysis answer application approach
area argument article aspect assessment assistant assumption attempt attention audience author balance basis batch
behaviour benefit bill block board body boundary branch budget buffer bug building business button cache call
campaign capacity card career case category cause center chain challenge change channel chapter character charge
chart check choice claim class client code collection column comment commit community company comparison component
concept concern condition conference configuration connection consequence constraint consumer contact container
content context contract control conversation copy cost country coverage credit criterion culture customer cycle
dashboard data database date deadline deal debate decision default definition delay delivery demand department
deployment description design detail developer device difference dimension direction discount discussion display
distance distribution document domain draft driver duration effect effort element email employee encoding end
engine entry environment error estimate evaluation event evidence example exception exchange experience experiment
expert explanation expression extension factor failure feature feedback field figure file filter finding flow focus
folder format formula foundation framework function fund gap gateway goal government graph group growth guide handler
header health history hypothesis idea image impact implementation improvement incident index industry information
infrastructure input insight instance instruction insurance integration interface interval inventory invoice issue
item job journey key knowledge label language latency layer leader lesson letter level library license limit line
link list load location log loop machine maintenance manager map market material matrix measure meeting member memory
message method metric migration minute mistake mode model module moment month network node note notice number object
objective offer office operation opinion option order organisation outcome output owner package page panel paper
parameter partner pattern payment people percentage performance period permission person phase picture pipeline plan
platform player point policy pool position practice prediction preference pressure price principle priority problem
procedure process product profile program progress project property proposal protocol provider purpose quality
quantity query question queue range rate reason record reference region release report repository request
requirement research resource response result review risk role rule sample scale schedule schema scope score screen
script search season section sector security segment selection sentence sequence server service session setting
shipment signal situation size skill solution source space specification speed stage standard statement status step
storage story strategy stream structure student study style subject summary supplier support survey system table
target task team technique template term test text theme theory thread threshold ticket timeline token tool topic
total trade traffic training transaction transfer trend trial type unit update usage user value variable variant
vendor version view volume warning week weight window word worker workflow world year`
  .split(/\s+/);

export const VERBS = `accept access achieve add adjust allow analyse answer appear apply approve argue arrange ask assess
assign assume attach avoid believe build calculate call cancel capture change check choose claim clean close collect
combine compare compile complete compute confirm connect consider contain continue convert copy correct count cover
create debug decide declare define delete deliver depend deploy describe design detect determine develop discover
discuss display distribute divide document download draft edit enable encode ensure enter estimate evaluate examine
exclude execute expand expect explain export extend extract fail fetch fill filter finish fix follow forward generate
group handle happen help highlight identify ignore implement import improve include increase indicate inform insert
install integrate introduce investigate involve join keep label launch learn limit list load locate log maintain
manage map match measure merge migrate minimise mention monitor move need notice notify observe obtain offer open
optimise order organise outline own parse pass perform permit plan point prefer prepare present prevent print process
produce profile protect provide publish pull push query raise reach read receive recommend record reduce refer
reflect reject release remain remember remove render repair repeat replace reply report represent request require
reserve reset resolve respond restore restrict retain retry return reuse review revise rewrite route run save scan
schedule score search select send separate serve set share ship show sign simplify sort specify split start state
store structure submit suggest summarise supply support switch test track train transform translate trigger trust try
turn update upgrade upload use validate verify view wait want warn watch work wrap write`
  .split(/\s+/);

export const ADJECTIVES = `able accurate active actual additional advanced annual apparent appropriate automatic available
aware basic brief broad careful central certain clear close common complete complex concise consistent constant
correct critical current custom daily dark deep default detailed different difficult direct distinct dynamic early
easy effective efficient empty entire equal essential exact excellent existing expensive explicit external extra fair
familiar final financial firm flexible formal free frequent fresh full general global good great heavy helpful high
huge ideal immediate important independent initial internal large late legal light likely limited linear live local
logical long low main major manual maximum medium minimal minor missing modern monthly narrow natural necessary
negative new nominal normal obvious official old online open optional ordinary original overall particular partial
patient personal physical plain polite popular positive possible potential practical precise previous primary
private proper public quick quiet random rapid rare raw ready real recent regular relevant reliable remote
responsible rich robust rough safe secure senior sensitive separate serious short significant silent similar simple
single slow small smooth soft solid special specific stable standard steady strict strong successful sudden
sufficient suitable sure technical temporary tight total typical unable unique unknown unusual urgent useful usual
valid various verbose visible vital weak weekly whole wide wrong young`
  .split(/\s+/);

/** Domain words that appear as themselves (no inflection): product names, formats, jargon. */
export const TECH_WORDS = `api json yaml csv sql http https graphql webhook oauth sdk cli gpu cpu ram ssd latency
throughput backend frontend middleware microservice refactor regex schema endpoint payload timestamp utf8 unicode
markdown html css javascript typescript python rust golang java kotlin swift docker terraform ansible postgres mysql
redis kafka rabbitmq nginx linux windows macos android ios react angular vue svelte nodejs deno webpack vite eslint
prettier pytest junit mocha jest github gitlab jira slack confluence notion figma stripe paypal shopify salesforce
hubspot zendesk intercom twilio sendgrid openai anthropic llama mistral gemini embedding tokenizer transformer
finetune retrieval reranker chunking vector cosine softmax logits temperature sampling hallucination grounding
prompt completion chatbot summariser classifier extractor sentiment ontology taxonomy metadata checksum hash
snapshot journal compaction rollback hotfix changelog roadmap backlog sprint standup retrospective onboarding
invoice refund chargeback warehouse fulfilment logistics courier parcel tracking returns subscription renewal
churn retention cohort funnel conversion checkout basket voucher loyalty`
  .split(/\s+/);
