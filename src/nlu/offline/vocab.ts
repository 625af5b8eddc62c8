/**
 * Ordinary words that are never a company or person name where the parser looks for one in lower-case chat
 * ("send the new deck", "for review", "any open deals"). Used to reject a candidate name, not to find one.
 */
export const COMMON_WORDS = new Set(
  (
    'a about above after again all also always an and another any anyone anything are around as ask at away back bad be because been ' +
    'before being best better big bigger biggest both brief but by call calls can case cases change check close closed closing come ' +
    'could current customer customers day days deal deals demo did do does doing done down draft each early either else end enough ' +
    'every everyone everything few final first follow for from full get gets give go going good got great had has have having he her ' +
    'here high him his how i if in info into is it its just key large largest last late later latest least less let like likely little ' +
    'long look lost low made main make many may me meeting meetings more most much must my need new next no none not note notes now ' +
    'of off old on once one only open or other our out over own pending people per please pls possible prep pricing priority ' +
    'quarter quick real recent review right same see send set she short should since small so some someone something soon still ' +
    'stuck such sure take team than that the their them then there these they thing things this those through time to today ' +
    'tomorrow too top total two under until up update updated urgent us very via was we week weekly well were what when where which ' +
    'while who whole why will with within without won would year yes yet you your new renewal renewals expansion upsell pilot ' +
    'contract proposal quote invoice forecast pipeline stage amount value owner account accounts contact contacts task tasks today ' +
    'monthly annual yearly legal finance procurement security support internal external partner partners vendor vendors anything ' +
    'everybody nobody somebody nothing team teams region regions rep reps sales marketing product engineering ops it ' +
    'billing technical login password access outage issue issues problem problems bug error errors request requests complaint ' +
    'subject data personal processing renew review prep prepare draft chase sign finalize ping email share schedule book ' +
    'check put run write read discuss negotiate confirm cancel order pay remind forward show tell'
  ).split(' '),
);

export function isCommonWord(word: string): boolean {
  return COMMON_WORDS.has(word.toLowerCase());
}
