/**
 * The subcommands of `torchlet`, in help order. To add one: write `commands/<name>.ts` exporting a
 * `CliCommand` and list it here.
 */
import type { CliCommand } from '../program.js';
import { forecastCmd } from './forecast.js';
import { convertCmd, inspectCmd } from './io.js';
import { sampleCmd } from './sample.js';
import { trainForecast } from './train-forecast.js';
import { trainText } from './train-text.js';

/** Every subcommand. */
export const COMMANDS: readonly CliCommand[] = [trainForecast, forecastCmd, trainText, sampleCmd, inspectCmd, convertCmd];
