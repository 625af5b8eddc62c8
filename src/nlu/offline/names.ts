/**
 * Tells people from companies when the sentence structure does not ("met with Initech" vs "called Dana"):
 * a phrase that starts with a common first name is a person, one that ends in a company suffix is a company.
 */

const FIRST_NAMES = new Set(
  (
    'aaron abby abdul adam adrian ahmed aisha alan albert alex alexa alexander alexis ali alice alicia allison amanda amber ' +
    'amelia amir amit amy ana andre andrea andrew andy angela anil anita ann anna anne anthony antonio arjun arthur ashley ' +
    'ava barbara ben benjamin beth betty bill billy bob bobby brad brandon brenda brian bruce bruno caleb cameron carl carla ' +
    'carlos carmen carol caroline casey catherine charles charlie chen chloe chris christian christina christine christopher ' +
    'claire claudia colin connor craig dan dana daniel daniela danielle dave david deb debbie deborah dennis derek diana diane ' +
    'diego dmitri dominic don donald donna doug douglas dylan ed eddie edward elena eli elijah elizabeth ella ellen emily emma ' +
    'eric erica erik ethan eva evan fatima felix fernando fiona frank fred gabriel gabriela gary george gina grace greg ' +
    'gregory hannah harry hassan heather helen henry hiro holly hugo ian igor isaac isabel isabella ivan jack jacob jake james ' +
    'jamie jan jane janet jason javier jay jean jeff jeffrey jen jenna jennifer jenny jeremy jerry jess jessica jim jimmy jo ' +
    'joan joanna joe joel john johnny jon jonathan jordan jorge jose joseph josh joshua juan julia julian julie justin karen ' +
    'kate katherine kathy katie kay keith kelly ken kenji kevin kim kumar kyle larry laura lauren lee leo leon liam lily linda ' +
    'lisa liz logan lucas lucy luis luke lydia maria mariana marie mario mark marta martin mary mason matt matthew max maya ' +
    'megan mei mel melissa mia michael michelle miguel mike mila mohammed monica nadia nancy naomi natalie nathan neil nick ' +
    'nicole nina noah nora olga oliver olivia omar oscar owen pablo pam pat patricia patrick paul paula pedro peter phil ' +
    'philip priya rachel rafael raj rajesh ralph ramon raul ray rebecca richard rick rita rob robert roberto robin rohan ron ' +
    'rosa ruby russell ruth ryan sam samantha samuel sandra sanjay sara sarah scott sean sergio shawn sofia sophia sophie ' +
    'stephanie stephen steve steven sue susan tanya taylor ted teresa terry theo thomas tim timothy tina tom tommy tony tyler ' +
    'valerie vanessa victor victoria vikram vincent walter wei will william xavier yan yuki yusuf zach zoe ' +
    'abigail adriana agnes ahmad aiden akira alberto aleksandr alessandro alfredo alina amara amina ananya andrei angelo anika anton antonia ari ariana arnav astrid aurora axel bea beatriz bianca björn bjorn blake boris brett bridget camila carina carlo carolina cecilia cesar chandra chiara chinedu cristina dalia damian dario darius dayo deepak desmond devon dina dolores duc elias elif elisa eliza elliot emil emilia emmanuel enrique esther fabian farah federica felipe femi filip florian francesca francesco freya gaurav giulia giovanni gustavo hamza hana hans harper heidi hector helga hiroshi hugh ibrahim ines ingrid irene iris isaiah jakob jana jasmine javed jin joao jonas julien jun kai kamal karim karl kasia katarzyna kenneth khalid kiran klaus kofi kwame lars layla lea leila lena leonardo lin lina lisa lorenzo luca luka lukas magnus malik manuel marc marcel marco marcus margaret maria marina marisa marko marta mateo matteo maxim mehmet mikhail milan min ming mira miriam mohamed moritz nadine nasser nathalie niamh niels nikhil nikita nils nisha noor olena oleg omari pavel petra pierre pooja rahul rania ravi reza riya rodrigo roman rosa sabine salma sami sandeep santiago sara sasha sebastian selin seo sergei shira simon simone sina sven tariq thiago tobias tomas tomasz usman valentina vera viktor vivek wendy yara yasmin yosef yuri zainab zara zeynep ahmed carla kenji jo oliver nina eva jason jim luis sarah rob sam grace jordan elena omar priya alex marta'
  ).split(' '),
);

const COMPANY_SUFFIX =
  /\b(inc|corp|corporation|co|company|llc|ltd|limited|gmbh|ag|sa|plc|group|industries|enterprises|labs|systems|technologies|tech|solutions|holdings|partners|bank|university|foods|motors|media|software|networks|logistics|health|capital|ventures|studios|global|international|intl|consulting|dynamics)\.?$/i;

export function isPerson(phrase: string): boolean {
  if (/@/.test(phrase)) return true;
  if (COMPANY_SUFFIX.test(phrase)) return false;
  const first = phrase.split(/\s+/)[0].toLowerCase();
  return FIRST_NAMES.has(first);
}

export function isFirstName(word: string): boolean {
  return FIRST_NAMES.has(word.toLowerCase());
}

const NAME_PARTICLE = /^(?:van|von|der|den|de|da|di|del|della|dos|du|la|le|bin|ibn|al|el|st|ter|ten)$/i;

/**
 * "paul smith soylent", "dana whitfield acme logistics": in run-on chat a first name and a surname are
 * followed by the company. A person's name is taken as two words unless the second is another first name
 * ("mary ann ...") or a particle ("jan van dijk"); the rest is the company.
 */
export function splitPersonCompany(phrase: string): { person: string; company: string } | undefined {
  const words = phrase.split(/\s+/);
  if (words.length < 3 || !isFirstName(words[0]) || COMPANY_SUFFIX.test(words[1])) return undefined;
  if (isFirstName(words[1]) || words[1].length < 2 || words.slice(1, 3).some((w) => NAME_PARTICLE.test(w)))
    return undefined;
  return { person: words.slice(0, 2).join(' '), company: words.slice(2).join(' ') };
}
