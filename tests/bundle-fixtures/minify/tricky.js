export let counter = 10

function returns() {
  return   // ASI: returns undefined
    42
}

function throwsAcrossComment() {
  let x = 1
  /* a comment
     with a line break */ x++
  return x
}

const re = /[/*]+ \/ "\/\/ " ' /gi ; const quotes = "a // b /* c */ d"

export function tricky() {
  const label = re.test('//') ? 'regex' : 'no'
  const arrow = x =>
    x * 2
  const obj = { in: 1, 'k e y': 2 }
  let s = ''
  for (const k in obj) s += k + ';'
  const neg = - 1, pos = + 1
  const m = 10 % 3 / 1
  const y = 2 ** 3
  const big = 0xa ** 2
  return [returns(), throwsAcrossComment(), label, quotes, arrow(4), s, neg, pos, m, y, String(big),
    re.source, re.flags].join(' ')
}
