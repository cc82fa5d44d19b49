/**
 * The example responses of the two reference API documents (../shared/reference), kept verbatim
 * as data. Attestr's matched example repeats the key `srcHeight` where `srcWidth` is meant, which
 * a TypeScript object literal cannot hold, so it is kept as the JSON text of the document.
 */

/** Didit v2, "Example Response". */
export const DIDIT_EXAMPLE_RESPONSE = {
  request_id: '11111111-2222-3333-4444-555555555555',
  face_match: {
    status: 'In Review',
    score: 65.43,
    source_image: 'https://example.com/source-image.jpg',
    target_image: 'https://example.com/target-image.jpg',
    warnings: [
      {
        risk: 'LOW_FACE_MATCH_SIMILARITY',
        additional_data: null,
        log_type: 'warning',
        short_description: 'Low face match similarity',
        long_description:
          "The facial features of the provided image don't closely match the reference image, suggesting a potential identity mismatch.",
      },
    ],
  },
  created_at: '2024-07-24T08:54:25.443172Z',
};

/** Didit v2, "Example Error Response". */
export const DIDIT_EXAMPLE_ERROR = {
  detail: 'Invalid image format. Supported formats: JPEG, PNG, WebP.',
};

/** Didit v2, the options part of "Example Request" (with the document's trailing comma). */
export const DIDIT_EXAMPLE_OPTIONS_TEXT = `{
  "face_match_score_decline_threshold": 40,
}`;

/** Attestr v2, "Sample response if a valid match is found either in the front image or the back image", as text. */
export const ATTESTR_EXAMPLE_MATCHED_TEXT = `{
"valid": true,
"status": "FACE_MATCHED",
"message": null,
"srcValid": true,
"targetFrontValid": true,
"targetBackValid": false,
"srcHeight": 0.5035399794578552,
"srcHeight": 0.4438190162181854,
"srcLeft": 0.2734742760658264,
"srcTop": 0.31529560685157776,
"srcConfidence": 99.99961853027344,
"targetFrontHeight": 0.12675197422504425,
"targetFrontWidth": 0.07176617532968521,
"targetFrontLeft": 0.21943515539169312,
"targetFrontTop": 0.4045655429363251,
"targetFrontConfidence": 99.99494934082031,
"targetFrontMatch": 99.96183776855469,
"targetBackHeight": null,
"targetBackWidth": null,
"targetBackLeft": null,
"targetBackTop": null,
"targetBackConfidence": null,
"targetBackMatch": null
}`;

/** Attestr v2, "Sample response for invalid document image". */
export const ATTESTR_EXAMPLE_NOT_MATCHED = {
  valid: false,
  status: 'FACE_NOT_MATCHED',
  message: 'Not matched, below threshold',
  srcValid: true,
  targetFrontValid: true,
  targetBackValid: false,
  srcHeight: null,
  srcWidth: null,
  srcLeft: null,
  srcTop: null,
  srcConfidence: null,
  targetFrontHeight: null,
  targetFrontWidth: null,
  targetFrontLeft: null,
  targetFrontTop: null,
  targetFrontConfidence: null,
  targetFrontMatch: null,
  targetBackHeight: null,
  targetBackWidth: null,
  targetBackLeft: null,
  targetBackTop: null,
  targetBackConfidence: null,
  targetBackMatch: null,
};

/** Attestr v2, "Sample response if an unsupported document media is passed in the input". */
export const ATTESTR_EXAMPLE_INVALID_FILE = {
  valid: false,
  srcValid: false,
  status: 'INVALID_FILE_FORMAT',
  message: 'Image incompatible file type',
};

/** Attestr v2, "Sample Error Response". */
export const ATTESTR_EXAMPLE_ERROR = {
  code: 4001,
  message: 'Malformed data or missing required parameter values',
};
