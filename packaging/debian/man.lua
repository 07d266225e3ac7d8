-- Pandoc filter for the man pages made from docs/*.md: a link becomes its
-- text (the targets are the project's other Markdown files, which a man page
-- cannot follow).
function Link(el)
  return el.content
end
