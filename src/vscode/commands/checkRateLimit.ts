// Check Docker Hub Pull Rate Limit: read it again now (the status bar item's click). Returns the
// reading for scripted use (tests).
import * as vscode from 'vscode';
import type { RateLimitReading } from '../rateLimitStatus';
import type { CommandContext } from './context';

export async function checkRateLimit(ctx: CommandContext): Promise<RateLimitReading | undefined> {
  if (!ctx.rateLimit) return undefined;
  const reading = await ctx.rateLimit.update();
  if (!reading) void vscode.window.showInformationMessage(vscode.l10n.t('Docker Hub is not connected: connect it to see its pull rate limit.'));
  return reading;
}
