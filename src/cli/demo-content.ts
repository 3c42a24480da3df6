import { EXAMPLE_ARTICLE, EXAMPLE_QUOTES } from '../resources/articles/examples.js';

/**
 * The demo newsroom: one Dutch wire article (written for Kopij, in the shape of SAMPLE.md),
 * the six people it mentions, the places (nested, with Dutch exonyms) and three quotes.
 */
export const DEMO_PEOPLE = [
  {
    name: 'Volodymyr Zelensky',
    aliases: ['Zelenskyy', 'Zelenski', 'Wolodymyr Zelensky', 'Володимир Зеленський'],
    description: 'President van Oekraïne',
    wikidataId: 'Q3874799',
  },
  {
    name: 'Vladimir Poetin',
    aliases: ['Vladimir Putin', 'Wladimir Putin', 'Владимир Путин'],
    description: 'President van Rusland',
    wikidataId: 'Q7747',
  },
  {
    name: 'António Guterres',
    aliases: ['Antonio Guterres'],
    description: 'Secretaris-generaal van de Verenigde Naties',
    wikidataId: 'Q311440',
  },
  { name: 'Lloyd Austin', aliases: ['Lloyd J. Austin III'], description: 'Amerikaans minister van Defensie' },
  {
    name: 'Anthony Blinken',
    aliases: ['Antony Blinken'],
    description: 'Amerikaans minister van Buitenlandse Zaken',
  },
  {
    name: 'Joe Biden',
    aliases: ['Joseph R. Biden'],
    description: 'President van de Verenigde Staten',
    wikidataId: 'Q6279',
  },
] as const;

type DemoPlace = {
  key: string;
  parent?: string;
  body: Record<string, unknown>;
};

export const DEMO_PLACES: DemoPlace[] = [
  {
    key: 'ua',
    body: {
      name: 'Oekraïne',
      aliases: ['Ukraine', 'Україна'],
      kind: 'country',
      countryCode: 'UA',
      wikidataId: 'Q212',
      geonamesId: '690791',
    },
  },
  {
    key: 'ru',
    body: {
      name: 'Rusland',
      aliases: ['Russia', 'Россия'],
      kind: 'country',
      countryCode: 'RU',
      wikidataId: 'Q159',
      geonamesId: '2017370',
    },
  },
  {
    key: 'kiev',
    parent: 'ua',
    body: {
      name: 'Kiev',
      aliases: ['Kyiv', 'Київ'],
      kind: 'city',
      countryCode: 'UA',
      location: { lat: 50.4501, lon: 30.5234 },
      wikidataId: 'Q1899',
      geonamesId: '703448',
    },
  },
  {
    key: 'metro',
    parent: 'kiev',
    body: {
      name: 'Metrostation Majdan Nezalezjnosti',
      aliases: ['Maidan Nezalezhnosti station'],
      kind: 'site',
      countryCode: 'UA',
    },
  },
  {
    key: 'donetsk',
    parent: 'ua',
    body: { name: 'Donetsk', aliases: ['Донецька область'], kind: 'region', countryCode: 'UA' },
  },
  {
    key: 'marioepol',
    parent: 'donetsk',
    body: {
      name: 'Marioepol',
      aliases: ['Mariupol', 'Маріуполь'],
      kind: 'city',
      countryCode: 'UA',
      location: { lat: 47.0971, lon: 37.5434 },
    },
  },
  {
    key: 'azovstal',
    parent: 'marioepol',
    body: { name: 'Azovstal', aliases: ['Azovstal-staalfabriek'], kind: 'site', countryCode: 'UA' },
  },
  {
    key: 'loehansk',
    parent: 'ua',
    body: { name: 'Loehansk', aliases: ['Luhansk', 'Луганська область'], kind: 'region', countryCode: 'UA' },
  },
  {
    key: 'cherson',
    parent: 'ua',
    body: { name: 'Cherson', aliases: ['Kherson', 'Херсонська область'], kind: 'region', countryCode: 'UA' },
  },
  {
    key: 'krim',
    parent: 'ua',
    body: { name: 'Krim', aliases: ['Crimea', 'Крим'], kind: 'region', wikidataId: 'Q7835' },
  },
  {
    key: 'moskou',
    parent: 'ru',
    body: {
      name: 'Moskou',
      aliases: ['Moscow', 'Москва'],
      kind: 'city',
      countryCode: 'RU',
      wikidataId: 'Q649',
      geonamesId: '524901',
    },
  },
];

/** Places the article mentions, in order. */
export const ARTICLE_PLACES = [
  'kiev',
  'marioepol',
  'azovstal',
  'donetsk',
  'loehansk',
  'krim',
  'cherson',
  'moskou',
];

export const DEMO_ARTICLE = {
  ...EXAMPLE_ARTICLE,
  slug: 'zelensky-alleen-onderhandelingen-kunnen-deze-oorlog-beeindigen',
  canonicalUrl: 'https://nieuws.example/buitenland/zelensky-onderhandelingen',
};

/** The article was published in the past: it is imported with its original time. */
export const DEMO_PUBLISHED_AT = '2022-04-23T17:45:00.000Z';
export const DEMO_SAID_AT = '2022-04-23';
export const DEMO_QUOTES = EXAMPLE_QUOTES.map((text, i) => ({
  text,
  context: [
    'Oproep tot onderhandelingen',
    'Over de beschietingen van woonwijken',
    'Voorwaarde voor gesprekken',
  ][i],
}));
