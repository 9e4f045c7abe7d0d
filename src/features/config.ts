// Typed access to ESC Studio's settings (package.json `contributes.configuration`).

import * as vscode from 'vscode';

export interface DatasetsConfig {
  include: string;
  exclude: string;
  maxFiles: number;
}

export function datasetsConfig(): DatasetsConfig {
  const c = vscode.workspace.getConfiguration('escStudio.datasets');
  // defaults live in package.json (contributes.configuration); these fallbacks only guard a bad value
  return {
    include: c.get<string>('include') || '**/*.{json,jsonl}',
    exclude: c.get<string>('exclude') ?? '',
    maxFiles: Math.max(1, c.get<number>('maxFiles') ?? 2000),
  };
}
