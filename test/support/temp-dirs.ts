/**
 * A setup file of both tiers: the folders a test file made with tempDir are removed once its
 * tests and their own afterAll hooks are done (registered first, this hook runs last).
 */
import { afterAll } from 'vitest';
import { removeTempDirs } from './cli.js';

afterAll(() => removeTempDirs());
