export default function named() { return 'named'; }
export const other = 'other';
export let zeta = 'z';
