/**
 * 68-point face landmarks (face-api's FaceLandmark68Net) for refining face alignment.
 * @module
 */
export { createLandmarker, type Landmarker, type LandmarkerOptions } from './landmarker.js';
export { DEFAULT_LANDMARK_CROP, type LandmarkCropOptions } from './crop.js';
export { LANDMARK_GROUPS, landmarkCentre, type LandmarkGroup, type LandmarkGroups } from './points.js';
