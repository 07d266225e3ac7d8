/*! tiny-lib v1.2.0 | MIT License | (c) the Kiln Bakery web team
 *  Vendored build: the file name already carries the bundler's content hash
 *  (4f3a9c1e), so it is long-term cacheable as it is and must not be renamed
 *  or hashed a second time. Do not edit by hand; rebuild tiny-lib instead. */
function n(n,t){let e=0;return function(...o){clearTimeout(e),e=setTimeout(()=>n.apply(this,o),t)}}
function t(n){let t=!1,e;return function(...o){return t||(t=!0,e=n.apply(this,o)),e}}
function e(n){return/^\s*$/.test(n??"")}
function o(n,t=1){const e=n/t/60;return e<1?"now":Math.round(e)+"/min"}
let r=null;
function i(n,t="polite"){if("undefined"==typeof document)return;r||(r=document.createElement("div"),r.setAttribute("aria-live",t),r.className="visually-hidden",document.body.append(r)),r.textContent="",requestAnimationFrame(()=>{r.textContent=n})}
function c(n,t=document){const e=n=>{n.key==="Escape"&&(t.removeEventListener("keydown",e),n.preventDefault())};return t.addEventListener("keydown",e),()=>t.removeEventListener("keydown",e)}
const l="1.2.0";
export{n as debounce,t as once,e as isBlank,o as rate,i as announce,c as onEscape,l as VERSION};
