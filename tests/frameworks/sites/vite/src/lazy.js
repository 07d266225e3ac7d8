export function describe() {
  return 'lazy chunk loaded';
}
