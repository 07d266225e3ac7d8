import './style.css';
import kilnLogo from './kiln.svg';

// The entry: renders the page, then loads a lazy chunk that adds a line.
const app = document.getElementById('app');
app.innerHTML = `
  <h1>Kiln Vite</h1>
  <p>page-marker: vite-home</p>
  <img id="logo" src="${kilnLogo}" alt="kiln logo" width="64" height="64">
  <p id="lazy-out">lazy chunk pending</p>
`;
const marker = 'kiln-vite-main-marker';
app.dataset.marker = marker;
import('./lazy.js').then(({ describe }) => {
  document.getElementById('lazy-out').textContent = describe();
});
