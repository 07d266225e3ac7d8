let x = 1
let y = x
;[1, 2].forEach((n) => { y += n })
let z = y
;(function () { z += 100 })()
const tpl = `line one
line two`
const notDivision = 4
/ 2
let w = 1
w
--
w
export const results = [x, y, z, tpl.split('\n').length, notDivision, w, async function () {
  await 1
}.constructor.name]
