import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link, Route, Routes } from 'react-router';

// Three lazy routes: each is a chunk of its own that Vite names only in an
// import() of the entry chunk.
const Home = lazy(() => import('./routes/Home.jsx'));
const About = lazy(() => import('./routes/About.jsx'));
const Contact = lazy(() => import('./routes/Contact.jsx'));

function App() {
  return (
    <BrowserRouter>
      <nav>
        <Link to="/">Home</Link> <Link to="/about">About</Link> <Link to="/contact">Contact</Link>
      </nav>
      <main>
        <Suspense fallback={<p>loading route</p>}>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route path="/about" element={<About />} />
            <Route path="/contact" element={<Contact />} />
            <Route path="*" element={<p>page-marker: not-found</p>} />
          </Routes>
        </Suspense>
      </main>
    </BrowserRouter>
  );
}

createRoot(document.getElementById('root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
