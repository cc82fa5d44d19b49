export * from './types.js';
export * from './dlib-resnet.js';
export * from './facenet.js';
export * from './create.js';
export * from './fusion.js';
export * from './spec.js';
export * from './onnx/index.js';
export {
  CHANNEL_ORDERS,
  ONNX_FRAMINGS,
  ONNX_PRESETS,
  ONNX_RUNTIMES,
  TENSOR_LAYOUTS,
  createOnnxSession,
  liveOnnxSessions,
  onnxRuntimeAvailable,
  type ChannelOrder,
  type OnnxFramingName,
  type OnnxModelSettings,
  type OnnxPreset,
  type OnnxRuntimeInfo,
  type OnnxRuntimeName,
  type OnnxSession,
  type OnnxSessionOptions,
  type OnnxTensorData,
  type OnnxValueInfo,
  type TensorLayout,
} from '../runtime/onnx.js';
export {
  REGISTRY_FILE,
  addUserModel,
  calibrationKeyId,
  getUserModel,
  listCalibrations,
  listUserModels,
  readCalibration,
  removeUserModel,
  userModelsHome,
  writeCalibration,
  type AddUserModelOptions,
  type CalibrationKey,
  type StoredCalibration,
  type UserModelEntry,
  type UserModelsOptions,
} from '../runtime/user-models.js';
