/**
 * `ip -batch`: many `ip` commands in one process, one per line of its standard input. Pure: the
 * text of a batch, and which of its lines failed, from what `ip -force` prints.
 *
 * A batch line is split on white space, a `#` anywhere ends it (a comment), and quotes group
 * words without escapes (iproute2's `getcmdline` and `makeargs`). The inputs that reach a batch
 * (interface names, addresses, numbers) cannot hold any of these by their own rules; a word that
 * could is refused here rather than written in a way `ip` would read differently.
 */

/**
 * `ip [-n NETNS] [OPTIONS] -batch -`. Without `-force`, the first line that fails ends the batch:
 * the lines before it were done, none after. With it, every line is tried.
 */
export function batchArgs(options: readonly string[]): string[] {
  return [...options, "-batch", "-"];
}

/** The text of a batch: one line per command, each the arguments after `ip`. */
export function batchText(commands: readonly (readonly string[])[]): string {
  return commands.map((args) => `${args.map(batchWord).join(" ")}\n`).join("");
}

/** True when every word of `commands` can be written in a batch line as it is. */
export function fitsBatch(commands: readonly (readonly string[])[]): boolean {
  return commands.every((args) => args.every((word) => !unbatchable(word)));
}

function unbatchable(word: string): boolean {
  return word === "" || /[\s#'"\\]/.test(word);
}

function batchWord(word: string): string {
  if (unbatchable(word)) {
    throw new Error(`pulumi-netns: ${JSON.stringify(word)} cannot be written in an ip batch line`);
  }
  return word;
}

/**
 * Which lines of a batch run with `-force` failed, and the kernel's words for each: `ip` prints
 * its error for a line, then `Command failed -:LINE` (from 1). Everything printed since the
 * previous such line is the failure's message.
 */
export function batchFailures(stderr: string): Map<number, string> {
  const failures = new Map<number, string>();
  let said: string[] = [];
  for (const line of stderr.split("\n")) {
    const failed = /^Command failed -:(\d+)$/.exec(line.trim());
    if (failed === null) {
      if (line.trim() !== "") said.push(line.trim());
      continue;
    }
    failures.set(Number(failed[1]), said.join("\n"));
    said = [];
  }
  return failures;
}
