import t from 'tap';
import { fold } from '../../src/http/fields.js';
import { containsWord, relationIn } from '../../src/syndication/ninjs.js';

/** [lead, names, why]: each lead names one of the names as a whole word, or does not. */
const cases: Record<'about' | 'mentions', [string, string[], string][]> = {
  about: [
    ['Zelensky ontmoet Rutte in Kiev', ['Kiev'], 'at the end'],
    ['Kiev wacht af', ['Kiev'], 'at the start'],
    ['Gesprek met ZELÉNSKY', ['Zelensky'], 'accents and case folded'],
    ['Overleg (Kiev), daarna Lviv', ['Kiev'], 'between punctuation'],
    ['Kiev-Oost onder vuur', ['Kiev'], 'a hyphen ends a word'],
    ['Kievse burgers en Kiev zelf', ['Kiev'], 'the second occurrence is whole'],
    ['De regering van 😀Kiev', ['Kiev'], 'an emoji is no letter'],
    ['Zelensky spreekt', ['Volodymyr Zelensky', 'Zelensky'], 'any of the names'],
    ['Regen in\nUtrecht', ['Utrecht'], 'the standfirst, after the newline'],
  ],
  mentions: [
    ['Kievse burgers', ['Kiev'], 'a letter after'],
    ['Oud-Kiev2 gesloten', ['Kiev'], 'a digit after'],
    ['Brandt en Rutte', ['Rut'], 'a prefix of a word'],
    ['Het 𐐀kiev-verdrag', ['Kiev'], 'an astral letter before'],
    ['Het kiev𐐀 verdrag', ['Kiev'], 'an astral letter after'],
    ['Op de EU-top', ['EU'], 'names under three letters are not matched'],
    ['Niets hier', ['Kiev'], 'not named'],
    ['', ['Kiev'], 'an empty lead'],
  ],
};

for (const [expected, list] of Object.entries(cases))
  t.test(`${expected}: the lead names it as a whole word (accents and case folded), or not`, async (t) => {
    for (const [lead, names, why] of list) t.equal(relationIn(fold(lead), names), expected, why);
  });

/** The rule as it was first written: one RegExp per name. */
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byRegExp = (text: string, word: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'u').test(text);

t.test('an empty word is in no text (and does not loop)', async (t) => {
  t.equal(containsWord('Kiev', ''), false);
  t.equal(containsWord('', ''), false);
});

t.test('the same answer as a RegExp with Unicode lookarounds, on random text', async (t) => {
  // A seeded generator: the same strings on every run.
  let seed = 0x5eed;
  const next = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const alphabet = ['a', 'b', 'k', 'i', 'e', 'v', ' ', '-', '.', '1', 'é', '😀', '𐐀', '𐐨', '\n', '(', 'ß'];
  const pick = (n: number) => Array.from({ length: n }, () => alphabet[next() % alphabet.length]).join('');
  let differ = 0;
  let found = 0;
  for (let i = 0; i < 5000; i++) {
    const word = pick(1 + (next() % 3));
    const text = pick(next() % 24);
    const expected = byRegExp(text, word);
    if (containsWord(text, word) !== expected) differ++;
    if (expected) found++;
  }
  t.equal(differ, 0, 'no string where the two differ');
  t.ok(found > 50, `the strings hit both answers (${found} of 5000 found)`);
});
