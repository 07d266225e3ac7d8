export default function Contact() {
  return (
    <section>
      <h1>Contact</h1>
      <p>page-marker: contact</p>
      <p>Write to the kiln team.</p>
    </section>
  );
}
