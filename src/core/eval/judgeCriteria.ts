// The LLM judge's four criteria, in the paper's order (FORMATS.md): their own module so the results
// table (which a webview will draw) can name them without pulling in the judge's file reading.

export const JUDGE_CRITERIA = ['empathy', 'fluency', 'helpfulness', 'professionalism'] as const;
export type JudgeCriterion = (typeof JUDGE_CRITERIA)[number];
