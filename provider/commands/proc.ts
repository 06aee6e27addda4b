/**
 * What /proc says of a process: the parser of `/proc/PID/stat`, pure, no I/O. A pid is reused once
 * its process is gone, so a process is known by its pid together with its start time, which no
 * later process with the same pid can share. (Which processes carry a mark in their environment is
 * one `grep` over /proc: machine/machine.ts.)
 */

/** The fields of `/proc/PID/stat` that say which process it is and whether it still runs. */
export interface ProcStat {
  /** R, S, D…; Z (a zombie) and X (dead) have stopped running. */
  state: string;
  /** The session it belongs to: the pid of the session's leader. */
  session: number;
  /** When it started, in clock ticks after boot (field 22), as text: it is compared, never computed with. */
  startTime: string;
}

/** Parses `/proc/PID/stat`; undefined when the text is not one. */
export function parseStat(text: string): ProcStat | undefined {
  // pid (comm) state ppid pgrp session …: comm may hold spaces and parentheses, so count from the last ")".
  const close = text.lastIndexOf(")");
  if (close < 0) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(" ");
  const [state, session, startTime] = [fields[0], fields[3], fields[19]];
  if (state === undefined || session === undefined || startTime === undefined || !/^\d+$/.test(startTime)) {
    return undefined;
  }
  return { state, session: Number(session), startTime };
}

/** True when the process of `stat` has stopped running (a zombie waits only to be reaped). */
export function stopped(stat: ProcStat): boolean {
  return stat.state === "Z" || stat.state === "X";
}
