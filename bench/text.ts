import type { Block } from '../src/resources/articles/schemas.js';
import {
  NL_CLAUSES,
  NL_HEADINGS,
  NL_HEADLINES,
  NL_QUOTES,
  OTHER_CLAUSES,
  OTHER_WORDS,
  type Topic,
} from './corpus.js';
import type { Rng } from './random.js';

/** What one article is about: the names and words its sentences are built from. */
export interface Subject {
  language: 'nl' | 'en' | 'de' | 'fr';
  topic: Topic;
  people: string[];
  places: string[];
}

const FALLBACK_PERSON = 'een woordvoerder';
const FALLBACK_PLACE = 'Den Haag';

function fill(template: string, s: Subject, rng: Rng): string {
  const words = s.language === 'nl' ? s.topic.words : OTHER_WORDS[s.language]!;
  const word = rng.pick(words);
  return template
    .replace('{p}', s.people.length ? rng.pick(s.people) : FALLBACK_PERSON)
    .replace('{c}', s.places.length ? rng.pick(s.places) : FALLBACK_PLACE)
    .replace('{w}', word)
    .replace('{W}', word.charAt(0).toUpperCase() + word.slice(1));
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function sentence(s: Subject, rng: Rng): string {
  const clauses = s.language === 'nl' ? NL_CLAUSES : OTHER_CLAUSES[s.language]!;
  const first = fill(rng.pick(clauses), s, rng);
  if (rng.chance(0.4)) {
    const joiner = s.language === 'nl' ? rng.pick([', en ', '; ', ', maar ']) : ', ';
    return `${capital(first)}${joiner}${fill(rng.pick(clauses), s, rng)}.`;
  }
  return `${capital(first)}.`;
}

function paragraph(s: Subject, rng: Rng): string {
  const n = rng.between(2, 4);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(sentence(s, rng));
  return out.join(' ');
}

export function headline(s: Subject, rng: Rng): string {
  if (s.language === 'nl') return fill(rng.pick(NL_HEADLINES), s, rng).slice(0, 300);
  return capital(fill(rng.pick(OTHER_CLAUSES[s.language]!), s, rng)).slice(0, 300);
}

export function standfirst(s: Subject, rng: Rng): string {
  return `${sentence(s, rng)} ${sentence(s, rng)}`;
}

/** Paragraphs, the odd heading and blockquote, until the text is about `chars` long. */
export function body(s: Subject, rng: Rng, chars: number): Block[] {
  const blocks: Block[] = [];
  let length = 0;
  while (length < chars) {
    const text = paragraph(s, rng);
    blocks.push({ type: 'paragraph', text });
    length += text.length;
    if (blocks.length === 3 && s.language === 'nl' && rng.chance(0.5))
      blocks.push({ type: 'heading', text: rng.pick(NL_HEADINGS) });
    if (blocks.length === 4 && s.people.length && rng.chance(0.3)) {
      const text = fill(rng.pick(NL_QUOTES), s, rng);
      blocks.push({ type: 'blockquote', text, attribution: rng.pick(s.people) });
      length += text.length;
    }
  }
  return blocks;
}

export function quoteText(s: Subject, rng: Rng): string {
  if (s.language === 'nl') return fill(rng.pick(NL_QUOTES), s, rng);
  return `${capital(fill(rng.pick(OTHER_CLAUSES[s.language]!), s, rng))}.`;
}
