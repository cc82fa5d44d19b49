import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';
import * as internals from '../src/internals.js';

describe('the public API', () => {
  it('exports the stages, the matcher and the formats by name, and keeps internals out', () => {
    for (const name of ['FaceMatcher', 'createFaceDetector', 'createLandmarker', 'createDlibResNetEmbedder', 'createFusedEmbedder', 'cutChip', 'loadImage', 'toDiditResponse', 'toAttestrResponse', 'FaceMatchError', 'DEFAULT_FACE_MATCHER_OPTIONS', 'FACE_SELECTIONS', 'ALIGNMENT_MODES', 'DETECTOR_MODELS', 'BACKEND_NAMES']) {
      expect(api, name).toHaveProperty(name);
    }
    for (const name of ['letterboxTensor', 'generateAnchors', 'downloadFile', 'describeField', 'invalidInput', 'decodeDetections', 'chipsToTensor', 'manifestModelHandler', 'checkScoreThreshold', 'createOnnxSession', 'liveOnnxSessions']) {
      expect(Object.keys(api), name).not.toContain(name);
      expect(internals, name).toHaveProperty(name);
    }
    // A deliberate, reviewed surface: adding a name here is an API decision.
    expect(Object.keys(api).length).toBeLessThan(140);
  });

  it('exports its choice lists frozen, and the defaults agree with them', () => {
    expect(Object.isFrozen(api.FACE_SELECTIONS)).toBe(true);
    expect(api.FACE_SELECTIONS).toContain(api.DEFAULT_FACE_MATCHER_OPTIONS.faceSelection);
    expect(api.ALIGNMENT_MODES).toContain(api.DEFAULT_FACE_MATCHER_OPTIONS.alignment);
    expect(api.DETECTOR_MODELS).toContain(api.DEFAULT_FACE_MATCHER_OPTIONS.detector);
    expect(api.BACKEND_NAMES).toContain(api.DEFAULT_FACE_MATCHER_OPTIONS.backend);
  });
});
