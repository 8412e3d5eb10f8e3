/**
 * The colours of segments, groups and retention states, one source for the report and the
 * dashboard (a merchant who reads both sees Champions in one colour). Okabe-Ito's palette:
 * told apart with any kind of colour vision.
 */
export const GROUP_COLOURS: Record<string, string> = {
  Core: '#0072B2',
  'Potential Core': '#56B4E9',
  'Non-core': '#E69F00',
  Lost: '#D55E00',
};
export const SEGMENT_COLOURS: Record<string, string> = {
  Champions: '#0072B2',
  'Big Spenders': '#003f63',
  Loyalists: '#009E73',
  'Low Value': '#E69F00',
  Promising: '#56B4E9',
  'New Customers': '#CC79A7',
  'Lost Core': '#D55E00',
  'Lost Potential Core': '#000000',
};
export const RETENTION_COLOURS: Record<string, string> = {
  Active: '#009E73',
  Drifting: '#F0E442',
  'Churn-risk': '#E69F00',
  Lost: '#D55E00',
};
/** For the names a model of one's own brings: in order. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

/** A name's colour: its own, else the palette's i-th. */
export function colourOf(map: Record<string, string>, name: string, i: number): string {
  return map[name] ?? PALETTE[i % PALETTE.length];
}
