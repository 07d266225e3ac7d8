// Module state: every bump() of one instance counts on from the last.
export let n = 0;
export function bump() {
  n++;
  __log.push("bump " + n);
  return n;
}
