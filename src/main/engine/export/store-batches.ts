/**
 * The store's events as packed batches for the export format workers (see packed-batch.ts),
 * read straight from the ring columns: no record objects, and messages and payloads as
 * parts of the blocks the store keeps them joined in. Export reads the store; the store
 * knows nothing of exports.
 */
import type { FilterSpec } from '../../../shared/filter';
import { ENTITY_TYPES } from '../../../shared/hub-event';
import type { EventStore, ExportWalkOptions, HubRing } from '../store/store';
import { BatchPacker, packRecord, type PackedBatch } from './packed-batch';

/** Adds the record at a slot of a ring to a batch, its message and payload as parts of their blocks. */
export function packStoredRecord(packer: BatchPacker, ring: HubRing, slot: number): void {
  packer.record(ring.seq[slot]!, ring.receivedAt[slot]!, ring.time[slot]!, ring.payloadKind[slot]!);
  packer.value(ring.hubId);
  packer.value(ring.event.get(slot));
  packer.unique(ring.idAt(slot));
  packer.value(ring.levelAt(slot));
  packer.value(ring.source.get(slot));
  const entityType = ring.entityType[slot]!;
  packer.value(entityType === 0 ? null : ENTITY_TYPES[entityType - 1]!);
  packer.value(entityType === 0 ? null : (ring.entityId.get(slot) ?? ''));
  ring.message.packInto(slot, packer);
  ring.payload.packInto(slot, packer);
}

/**
 * The same batches as `store.iterate` — the same walk, the same gap markers where the ring
 * evicted events before the walk reached them — packed for the format workers.
 */
export function packedBatches(
  store: EventStore,
  spec: FilterSpec,
  options: ExportWalkOptions = {},
): AsyncGenerator<PackedBatch> {
  return store.exportWalk(
    spec,
    options,
    (items) => {
      const packer = new BatchPacker(items.length);
      for (const item of items) {
        if ('marker' in item) {
          packRecord(packer, item.marker);
          packer.markers++;
          packer.evicted += item.evicted;
        } else {
          packStoredRecord(packer, item.ring, item.slot);
        }
      }
      return packer.finish();
    },
    // A worker formats a whole batch in memory: megabyte payloads make short batches.
    (hit) => hit.ring.message.lengthAt(hit.slot) + hit.ring.payload.lengthAt(hit.slot),
  );
}
