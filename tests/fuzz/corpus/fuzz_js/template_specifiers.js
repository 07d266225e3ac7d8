import(`./About-CHf2AwwH.js`); import(`./\u0041\x62\`c.js`, { with: {} });
import(`./a
b.js`); import(t`./t.js`); import(`./${d}.js`);
new URL(`./img/logo.svg#\u0060x`, import.meta.url); x = `${`${import(`./n.js`)}`}`;
import x from `./bad.js`;
