/**
 * The typed errors a relay layer and its document sessions reject with, named after what happened: the
 * layer closed, the relay out of reach (not local storage: this device's own storage is fine), a viewer's
 * write, a message from the relay this version cannot read.
 */
import { ErrorCode, PersistenceError } from '../../core/errors.ts';
import type { DocId } from '../../core/persistence/PersistenceLayer.ts';

export function closedError(layer: string, docId?: DocId): PersistenceError {
  return new PersistenceError(ErrorCode.Closed, `${layer}: layer is closed`, { layer, docId });
}

export function unreachableError(layer: string, docId: DocId): PersistenceError {
  return new PersistenceError(ErrorCode.Unreachable, `${layer}: the relay is unreachable`, { layer, docId });
}

export function readOnlyError(layer: string, docId: DocId): PersistenceError {
  return new PersistenceError(ErrorCode.Forbidden, `${layer}: this device may only read ${docId} (viewer); the change stays on this device`, { layer, docId });
}

/** A stateless message of `docId` that failed to parse (its parser's typed error), with the layer's name. */
export function malformedMessageError(layer: string, docId: DocId, e: PersistenceError): PersistenceError {
  return new PersistenceError(e.code, `${layer}: ${e.message}`, { layer, docId, cause: e });
}
