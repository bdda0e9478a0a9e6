/** Reads `key=value` tags from a FASTA description, the convention used by the data sets rnnseq ships with. */
export function headerTag(description: string, key: string): string | undefined {
  for (const token of description.split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq > 0 && token.slice(0, eq) === key) return token.slice(eq + 1);
  }
  return undefined;
}

/** Class names in a stable order: the order given by the user, else sorted, so indices never depend on file order. */
export function orderClasses(seen: Iterable<string>, given?: readonly string[]): string[] {
  if (given && given.length > 0) return [...given];
  return [...new Set(seen)].sort();
}
