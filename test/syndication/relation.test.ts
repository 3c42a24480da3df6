import t from 'tap';
import { fold } from '../../src/http/fields.js';
import { containsWord, relationIn } from '../../src/syndication/ninjs.js';

const rel = (lead: string, ...names: string[]) => relationIn(fold(lead), names);

t.test('about: the lead names it as a whole word, accents and case folded', async (t) => {
  t.equal(rel('Zelensky ontmoet Rutte in Kiev', 'Kiev'), 'about', 'at the end');
  t.equal(rel('Kiev wacht af', 'Kiev'), 'about', 'at the start');
  t.equal(rel('Gesprek met ZELÉNSKY', 'Zelensky'), 'about', 'accents and case');
  t.equal(rel('Overleg (Kiev), daarna Lviv', 'Kiev'), 'about', 'between punctuation');
  t.equal(rel('Kiev-Oost onder vuur', 'Kiev'), 'about', 'a hyphen ends a word');
  t.equal(rel('Kievse burgers en Kiev zelf', 'Kiev'), 'about', 'the second occurrence is whole');
  t.equal(rel('De regering van 😀Kiev', 'Kiev'), 'about', 'an emoji is no letter');
  t.equal(rel('Zelensky spreekt', 'Volodymyr Zelensky', 'Zelensky'), 'about', 'any of the names');
  t.equal(rel('Regen in\nUtrecht', 'Utrecht'), 'about', 'the standfirst, after the newline');
});

t.test('mentions: only inside a longer word, or not at all', async (t) => {
  t.equal(rel('Kievse burgers', 'Kiev'), 'mentions', 'a letter after');
  t.equal(rel('Oud-Kiev2 gesloten', 'Kiev'), 'mentions', 'a digit after');
  t.equal(rel('Brandt en Rutte', 'Rut'), 'mentions', 'a prefix of a word');
  t.equal(rel('Het 𐐀kiev-verdrag', 'Kiev'), 'mentions', 'an astral letter before');
  t.equal(rel('Het kiev𐐀 verdrag', 'Kiev'), 'mentions', 'an astral letter after');
  t.equal(rel('Op de EU-top', 'EU'), 'mentions', 'names under three letters are not matched');
  t.equal(rel('Niets hier', 'Kiev'), 'mentions');
  t.equal(rel('', 'Kiev'), 'mentions', 'an empty lead');
});

/** The rule as it was first written: one RegExp per name. */
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byRegExp = (text: string, word: string) =>
  new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'u').test(text);

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
