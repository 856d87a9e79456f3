/*
 * Readability statistics for English prose: syllables by vowel groups (the usual heuristic,
 * within ±1 syllable for most words), Flesch Reading Ease (Flesch 1948) and Flesch–Kincaid
 * grade level (Kincaid et al. 1975).
 */

export function syllables(word: string): number {
  let w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w.length === 0) return 0;
  if (w.length <= 3) return 1;
  // Silent endings: "make", "named", "goes" (but not "table", "needed").
  w = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, (m) => m.charAt(0)).replace(/^y/, '');
  const groups = w.match(/[aeiouy]+/g);
  return Math.max(1, groups ? groups.length : 1);
}

export interface ReadabilityStats {
  words: number;
  sentences: number;
  syllablesPerWord: number;
  wordsPerSentence: number;
  /** 0–100, higher is easier; 60–70 is plain English. */
  readingEase: number;
  /** US school grade needed to follow the text. */
  gradeLevel: number;
}

export function readabilityOf(sentenceList: readonly string[]): ReadabilityStats {
  let words = 0;
  let syl = 0;
  for (const s of sentenceList) {
    for (const w of s.match(/[A-Za-z]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*/g) ?? []) {
      words++;
      syl += /^\d/.test(w) ? 1 : syllables(w);
    }
  }
  const n = Math.max(1, sentenceList.length);
  const wps = words / n;
  const spw = words === 0 ? 0 : syl / words;
  return {
    words,
    sentences: sentenceList.length,
    syllablesPerWord: spw,
    wordsPerSentence: wps,
    readingEase: 206.835 - 1.015 * wps - 84.6 * spw,
    gradeLevel: 0.39 * wps + 11.8 * spw - 15.59,
  };
}
