/**
 * Files: PyTorch checkpoints (`torch.load` / `torch.save`) and safetensors.
 * See https://pytorch.org/docs/1.13/notes/serialization.html
 * @example
 * import * as torch from 'torchlet';
 * model.loadStateDict(torch.load('model.pt'));
 * torch.save(model.stateDict(), 'model.pt');
 * const sd = torch.safetensors.loadFile('model.safetensors');
 */
import '../ops/methods.js';
export { load, save, readCheckpoint, type LoadOptions, type SaveOptions, type RawCheckpoint } from './torch-file.js';
export { UnpicklingError, ALLOWED_GLOBALS } from './unpickler.js';
export { FormatError } from './bytes.js';
export { RawTensor, RawStorage, type StoredDType } from './dtypes.js';
export * as safetensors from './safetensors.js';
