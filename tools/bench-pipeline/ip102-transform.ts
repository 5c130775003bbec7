/**
 * Seed 000's IP102 training transform (its final `main.py`), from `@cnn/augment`'s per-image transforms:
 *
 *     Resize((256, 256)), CenterCrop((224, 224)), RandomResizedCrop(224), RandomHorizontalFlip(),
 *     ColorJitter(0.4, 0.4, 0.4, 0.1), RandomRotation(15), ToTensor(), Normalize(MEANS, STDS)
 *
 * The seed imports MEANS and STDS from a module it does not show; ImageNet's statistics stand in (the speed is the same).
 */
import {
  CenterCrop,
  ColorJitter,
  Compose,
  Normalize,
  RandomHorizontalFlip,
  RandomResizedCrop,
  RandomRotation,
  Resize,
  ToTensor,
  type Transform,
} from '@cnn/augment';

/** The transform, its steps by name, and a one-line description; `resizeDone` leaves out the Resize, for images decoded at 256x256. */
export function ip102TrainTransform(options: { resizeDone: boolean }): { transform: Compose; steps: Array<[string, Transform]>; description: string } {
  const steps: Array<[string, Transform]> = [
    ['Resize((256, 256))', new Resize({ size: [256, 256] })],
    ['CenterCrop((224, 224))', new CenterCrop({ size: [224, 224] })],
    ['RandomResizedCrop(224)', new RandomResizedCrop({ size: 224 })],
    ['RandomHorizontalFlip()', new RandomHorizontalFlip()],
    ['ColorJitter(0.4, 0.4, 0.4, 0.1)', new ColorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1 })],
    ['RandomRotation(15)', new RandomRotation({ degrees: 15 })],
    ['ToTensor()', new ToTensor()],
    ['Normalize(ImageNet)', new Normalize({ mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] })],
  ];
  const kept = options.resizeDone ? steps.slice(1) : steps;
  return { transform: new Compose(kept.map(([, transform]) => transform)), steps: kept, description: `Compose([${kept.map(([name]) => name).join(', ')}])` };
}
