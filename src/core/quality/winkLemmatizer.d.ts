// wink-lemmatizer ships no types; only the three functions we call are declared.
declare module 'wink-lemmatizer' {
  export function noun(word: string): string;
  export function verb(word: string): string;
  export function adjective(word: string): string;
}
