import type { Page } from 'playwright-core';

/** The layout problems of one SVG document rendered in a Chromium page (texts leaving the viewBox, overlapping texts); empty when clean. */
export function svgLayoutProblems(page: Page, svg: string): Promise<string[]>;

/** A chart that breaks both rules, for proving the check catches them. */
export function brokenChartSvg(): string;
