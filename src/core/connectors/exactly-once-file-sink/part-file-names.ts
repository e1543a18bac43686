import { join } from 'node:path';

/** The three names of one part file of an {@link ExactlyOnceFileSink}. */
export interface PartFileNames {
  /** `<prefix>-<subtask>-<n><suffix>`: visible, committed. */
  readonly final: string;
  /** `.<final>.pending`: complete and fsynced, waiting for its checkpoint. */
  readonly pending: string;
  /** `.<final>.inprogress`: being written. */
  readonly inProgress: string;
}

/** A part file name parsed back by {@link PartFileNaming.parse}. */
export interface ParsedPartFile {
  readonly subtaskIndex: number;
  readonly partIndex: number;
  readonly kind: 'final' | 'pending' | 'in-progress';
}

/**
 * The naming scheme of part files: `<prefix>-<subtask>-<n><suffix>` when committed, with a leading
 * dot (hidden, skipped by `FileSource`) and a `.pending` / `.inprogress` ending before that.
 *
 * @example
 * ```ts
 * const naming = new PartFileNaming('part', '.txt');
 * naming.names(0, 3); // { final: 'part-0-3.txt', pending: '.part-0-3.txt.pending', inProgress: '.part-0-3.txt.inprogress' }
 * naming.parse('.part-0-3.txt.pending'); // { subtaskIndex: 0, partIndex: 3, kind: 'pending' }
 * ```
 */
export class PartFileNaming {
  private readonly pattern: RegExp;

  constructor(
    readonly prefix: string,
    readonly suffix: string,
  ) {
    if (prefix.length === 0 || /[/\\]/.test(prefix) || /[/\\]/.test(suffix)) {
      throw new Error(`invalid part file prefix/suffix '${prefix}'/'${suffix}'`);
    }
    this.pattern = new RegExp(
      `^(\\.)?${escapeRegExp(prefix)}-(\\d+)-(\\d+)${escapeRegExp(suffix)}(\\.pending|\\.inprogress)?$`,
    );
  }

  names(subtaskIndex: number, partIndex: number): PartFileNames {
    const final = `${this.prefix}-${subtaskIndex}-${partIndex}${this.suffix}`;
    return { final, pending: `.${final}.pending`, inProgress: `.${final}.inprogress` };
  }

  /** Absolute paths of {@link names} in `directory`. */
  paths(directory: string, subtaskIndex: number, partIndex: number): PartFileNames {
    const n = this.names(subtaskIndex, partIndex);
    return {
      final: join(directory, n.final),
      pending: join(directory, n.pending),
      inProgress: join(directory, n.inProgress),
    };
  }

  /** The part file a directory entry is, or `undefined` for anything else. */
  parse(name: string): ParsedPartFile | undefined {
    const m = this.pattern.exec(name);
    if (m === null) return undefined;
    const hidden = m[1] !== undefined;
    const ending = m[4];
    if (hidden !== (ending !== undefined)) return undefined;
    return {
      subtaskIndex: Number(m[2]),
      partIndex: Number(m[3]),
      kind: ending === '.pending' ? 'pending' : ending === '.inprogress' ? 'in-progress' : 'final',
    };
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
