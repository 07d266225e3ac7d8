import './about.css';
import logoUrl from './logo.svg';

// The lazy route with a lazy stylesheet and an image named only by URL.
export default function About() {
  return (
    <section className="about">
      <h1>About</h1>
      <p>page-marker: about</p>
      <img id="logo" src={logoUrl} alt="kiln logo" width="64" height="64" />
      <p className="styled">This paragraph is styled by the route's own CSS.</p>
    </section>
  );
}
