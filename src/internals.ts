/**
 * `facematch/internals`: the building blocks beneath the stages, for experiments and custom
 * pipelines that go further than the stage interfaces. Not covered by semver: anything here may
 * change in any release. Everything in the main entry point is re-exported too, so one import
 * serves both.
 *
 * @packageDocumentation
 */
export * from './index.js';
export { clip, describeField, describeReceived, echo, invalidInput } from './errors.js';
export { checkOptionsObject, closestName, resolveImageCall, resolveMatchCall, type ResolvedImageCall } from './matcher-options.js';
export * from './image/index.js';
export * from './align/similarity.js';
export * from './align/templates.js';
export * from './align/warp.js';
export * from './detect/anchors.js';
export * from './detect/blazeface.js';
export * from './detect/decode.js';
export * from './detect/faces.js';
export * from './detect/letterbox.js';
export * from './detect/models.js';
export * from './detect/nms.js';
export * from './detect/options.js';
export * from './detect/preprocess.js';
export * from './embed/check.js';
export * from './embed/chips.js';
export * from './embed/dlib-resnet-net.js';
export * from './landmarks/crop.js';
export * from './landmarks/net.js';
export * from './landmarks/points.js';
export * from './compare/decision.js';
export * from './compare/distance.js';
export * from './providers/error-details.js';
export * from './runtime/backend.js';
export * from './runtime/models.js';
export * from './runtime/onnx.js';
export * from './runtime/package.js';
export * from './datasets/download.js';
export * from './datasets/extract.js';
export * from './datasets/manifest.js';
