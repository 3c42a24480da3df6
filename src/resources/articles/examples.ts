/**
 * An original Dutch wire article in the shape the newsroom works with (see SAMPLE.md): used
 * as the OpenAPI example and as test content, so both exercise „…”, ‘…’, diacritics and an
 * editorial [insertion].
 */
export const EXAMPLE_BODY = [
  {
    type: 'paragraph',
    text: 'De Oekraïense president Volodymyr Zelensky heeft zaterdag in Kiev gezegd dat alleen onderhandelingen de oorlog kunnen beëindigen. „Deze oorlog moet eindigen aan de onderhandelingstafel”, zei hij in een metrostation in het centrum van de hoofdstad.',
  },
  {
    type: 'paragraph',
    text: 'Zelensky reageerde op een oproep van VN-secretaris-generaal António Guterres, die eerder deze week Moskou en Kiev bezocht. Guterres vroeg om een veilige aftocht voor de burgers die nog in de Azovstal-fabriek in Marioepol schuilen.',
  },
  { type: 'heading', text: '‘Wij geven geen grondgebied op’' },
  {
    type: 'paragraph',
    text: 'Over de Russische president Vladimir Poetin was Zelensky kort. „Schandelijk”, noemde hij de beschietingen van woonwijken in Donetsk en Loehansk. De Amerikaanse minister van Defensie Lloyd Austin en minister van Buitenlandse Zaken Anthony Blinken beloofden eerder in Kiev meer militaire steun.',
  },
  {
    type: 'blockquote',
    text: 'Als Rusland zich terugtrekt uit de [zuidelijke] regio, zijn wij bereid te praten.',
    attribution: 'Volodymyr Zelensky',
  },
  {
    type: 'paragraph',
    text: 'Over de Krim en de regio Cherson wilde Zelensky verder niets kwijt. De Amerikaanse president Joe Biden vroeg het Congres deze week om een nieuw steunpakket voor Oekraïne.',
  },
  {
    type: 'paragraph',
    text: 'Het Kremlin reageerde niet op de uitspraken. Russische staatsmedia meldden dat de gevechten in het oosten van het land onverminderd doorgaan.',
  },
  { type: 'paragraph', text: 'Dit artikel is ook onderdeel van ons liveblog over de oorlog in Oekraïne.' },
] as const;

export const EXAMPLE_ARTICLE = {
  language: 'nl',
  headline: 'Zelensky: „Alleen onderhandelingen kunnen deze oorlog beëindigen”',
  standfirst: 'De Oekraïense president sprak zaterdag in een metrostation in Kiev over de kansen op vrede.',
  body: EXAMPLE_BODY,
  credit: 'AFP',
  tags: ['oorlog in Oekraïne', 'diplomatie'],
};

export const EXAMPLE_QUOTES = [
  'Deze oorlog moet eindigen aan de onderhandelingstafel.',
  'Schandelijk.',
  'Als Rusland zich terugtrekt uit de [zuidelijke] regio, zijn wij bereid te praten.',
] as const;
