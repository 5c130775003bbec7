import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { LabelEncoder } from './label-encoder.js';

describe('LabelEncoder', () => {
  it('fits sorted classes and maps names to indices and back', () => {
    const encoder = new LabelEncoder();
    expect(Array.from(encoder.fitTransform(['dog', 'cat', 'dog', 'bird']))).toEqual([2, 1, 2, 0]);
    expect(encoder.classes).toEqual(['bird', 'cat', 'dog']);
    expect(encoder.decode([2, 0])).toEqual(['dog', 'bird']);
    expect(() => encoder.encode(['cow'])).toThrow('LabelEncoder: unknown class "cow" at position 0; known classes: "bird", "cat", "dog".');
    expect(() => encoder.decode([3])).toThrow('LabelEncoder: index 3 at position 0 is not a class; there are 3 (0..2).');
    expect(() => new LabelEncoder(['a', 'a'])).toThrow('class "a" appears twice');
  });

  it('round-trips through JSON', () => {
    const encoder = new LabelEncoder(['Abyssinian', 'american_bulldog']);
    const copy = LabelEncoder.fromJSON(JSON.parse(JSON.stringify(encoder)));
    expect(copy.classes).toEqual(encoder.classes);
    expect(() => LabelEncoder.fromJSON({ classes: [1] })).toThrow('LabelEncoder.fromJSON: expected { classes: string[] }');
  });

  it('saves with a tfjs model and comes back with it', async () => {
    await tf.setBackend('cpu');
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2] })] });
    model.setUserDefinedMetadata({ other: 1 });
    expect(() => LabelEncoder.fromModel(model)).toThrow('the model has no "labelEncoder" in its user-defined metadata');
    new LabelEncoder(['cat', 'dog', 'bird']).attachTo(model);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    // model.json is JSON: round-trip everything but the weights through it, as a file would.
    const { weightData, ...json } = saved!;
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ ...(JSON.parse(JSON.stringify(json)) as tf.io.ModelArtifacts), weightData }));
    expect(LabelEncoder.fromModel(loaded).classes).toEqual(['cat', 'dog', 'bird']);
    expect(loaded.getUserDefinedMetadata()).toMatchObject({ other: 1 });
    model.dispose();
    loaded.dispose();
  });
});
