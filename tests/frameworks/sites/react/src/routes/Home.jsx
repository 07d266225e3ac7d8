export default function Home() {
  return (
    <section>
      <h1>Home</h1>
      <p>page-marker: home</p>
      <p>A React app built by Vite, released by kiln.</p>
    </section>
  );
}
